package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.PermanentFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, dead letters, effects with receipts, breakers, timeouts, heartbeats and compensation. */
class FailureSemanticsTest {
    record Order(String order, int amount) {}

    record Receipt(String order, String reference) {}

    /** What the outside world saw: every request by idempotency key. */
    static final Map<String, AtomicInteger> REQUESTS = new ConcurrentHashMap<>();

    static final List<String> REFUNDS = new CopyOnWriteArrayList<>();

    static final AtomicInteger BUSY = new AtomicInteger();

    /** Charges through an effect; fails after the effect as often as the order's amount says. */
    static final class Charge implements Agent<Order, Receipt> {
        static final AtomicInteger RUNS = new AtomicInteger();

        @Override
        public Contract<Order, Receipt> contract() {
            return Contract.of("charge", "1.0.0", Order.class, Receipt.class).withEffects("payments");
        }

        @Override
        public Receipt run(Order input, AgentContext ctx) throws Exception {
            int run = RUNS.incrementAndGet();
            String reference = ctx.effect("payments:charge", String.class, key -> {
                REQUESTS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                return "ch-" + key.hashCode();
            });
            if (input.amount() == 13 && ctx.attempt() < 3) {
                throw new IllegalStateException("network glitch after the charge (run " + run + ")");
            }
            return new Receipt(input.order(), reference);
        }
    }

    static final class Refund implements Agent<Receipt, Receipt> {
        @Override
        public Contract<Receipt, Receipt> contract() {
            return Contract.of("refund", "1.0.0", Receipt.class, Receipt.class).withEffects("payments");
        }

        @Override
        public Receipt run(Receipt input, AgentContext ctx) throws Exception {
            return ctx.effect("payments:refund", Receipt.class, key -> {
                REFUNDS.add(input.reference());
                return new Receipt(input.order(), "re-" + input.reference());
            });
        }
    }

    /** Misbehaves as its input says. */
    static final class Flaky implements Agent<Order, Receipt> {
        @Override
        public Contract<Order, Receipt> contract() {
            return Contract.of("ship", "1.0.0", Order.class, Receipt.class)
                    .withTimeout(Duration.ofMillis(300))
                    .withEffects("carrier");
        }

        @Override
        public Receipt run(Order input, AgentContext ctx) throws Exception {
            return switch (input.order()) {
                case "throw" -> throw new IllegalArgumentException("no such warehouse");
                case "permanent" -> throw new PermanentFailure("the address is not deliverable");
                case "violate" -> new Receipt(null, "x");
                case "hang" -> {
                    Thread.sleep(60_000);
                    yield new Receipt("late", "late");
                }
                case "busy" -> {
                    if (BUSY.getAndIncrement() < 2) {
                        throw new dev.aios.api.TryAgainLater("429 Too Many Requests", Duration.ofSeconds(30));
                    }
                    yield new Receipt("busy", "shipped after waiting");
                }
                case "undeclared" -> ctx.effect("email", Receipt.class, key -> new Receipt("x", "sent"));
                case "carrier-down" ->
                    ctx.effect("carrier", Receipt.class, key -> {
                        throw new java.io.IOException("carrier API answered 503");
                    });
                default -> new Receipt(input.order(), "shipped");
            };
        }
    }

    @TempDir
    Path dir;

    TestClock clock = new TestClock();
    Kernel kernel;

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    void start(String yaml, java.util.function.UnaryOperator<Kernel.Builder> extra) throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/p.yaml"), yaml);
        var builder = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Charge())
                .agent(new Refund())
                .agent(new Flaky())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10));
        kernel = extra.apply(builder).build();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        kernel.start();
    }

    String send(String order, int amount) throws Exception {
        var data = new ObjectMapper().createObjectNode().put("order", order).put("amount", amount);
        return kernel.send(new Event(
                        UUID.randomUUID().toString(), "order.placed", order, "test", clock.instant(), data, "", ""))
                .started()
                .getFirst();
    }

    RunView until(String runId, Predicate<RunView> done) {
        return Eventually.await(
                () -> {
                    // Slower than real time, so that leases (kept by this clock) outlast real agent timeouts.
                    clock.advance(Duration.ofSeconds(1));
                    kernel.wake();
                    return kernel.run(runId);
                },
                done);
    }

    static final String SAGA = """
            name: checkout
            trigger: order.placed
            defaults:
              retry: { attempts: 3, backoff: 1s, jitter: 0 }
            steps:
              - id: charge
                agent: charge
                input: { order: event.data.order, amount: event.data.amount }
                compensate:
                  agent: refund
                  input: { order: steps.charge.order, reference: steps.charge.reference }
              - id: ship
                agent: ship
                input: { order: event.data.order, amount: event.data.amount }
                retry: { attempts: 2, backoff: 2s, nonRetryable: [IllegalArgumentException] }
            """;

    @Test
    void aStepThatFailsAfterItsEffectIsRetriedWithTheSameKeyAndTheEffectHappensOnce() throws Exception {
        start(SAGA, b -> b);
        String run = send("o-13", 13);
        var done = until(run, r -> r.status() == RunStatus.COMPLETED);

        var charge = done.steps().getFirst();
        assertThat(charge.attempts()).hasSize(3);
        assertThat(charge.attempts().get(0).error()).get().asString().contains("network glitch");
        assertThat(charge.receipts()).singleElement().satisfies(r -> {
            assertThat(r.name()).isEqualTo("payments:charge");
            assertThat(r.key()).isEqualTo(run + ":charge:0:payments:charge");
        });
        assertThat(REQUESTS.get(run + ":charge:0:payments:charge").get()).isEqualTo(1);
        assertThat(kernel.journal(run).stream().filter(e -> e.type().equals("StepFailed")))
                .hasSize(2);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void badAgentsEndInTheInboxWithTheirErrorVisible() throws Exception {
        start(SAGA, b -> b);
        var expectations = Map.of(
                "throw", "no such warehouse",
                "permanent", "the address is not deliverable",
                "violate", "$.order",
                "hang", "did not finish within PT0.3S",
                "undeclared", "declares only [carrier]");
        for (var expected : expectations.entrySet()) {
            String run = send(expected.getKey(), 1);
            var parked = until(run, r -> r.status() == RunStatus.NEEDS_ATTENTION);
            var task = kernel.tasks(false).stream()
                    .filter(t -> t.runId().equals(run))
                    .findFirst()
                    .orElseThrow();
            assertThat(task.kind()).isEqualTo(TaskKind.DEAD_LETTER);
            assertThat(task.options())
                    .containsExactly(TaskOption.RETRY, TaskOption.SKIP, TaskOption.COMPENSATE, TaskOption.CANCEL);
            assertThat(task.explanation()).as(expected.getKey()).contains(expected.getValue());
            var ship = parked.steps().get(1);
            assertThat(ship.status()).isEqualTo(StepStatus.FAILED);
            int attempts =
                    switch (expected.getKey()) {
                        case "throw", "permanent", "undeclared" -> 1; // not worth retrying
                        default -> 2;
                    };
            assertThat(ship.attempts()).as(expected.getKey()).hasSize(attempts);
        }
    }

    @Test
    void theOperatorCanRetrySkipCompensateOrCancelAParkedStep() throws Exception {
        start(SAGA, b -> b);
        String skipped = send("throw", 1);
        until(skipped, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        var task = kernel.tasks(false).getFirst();
        assertThatThrownBy(() -> kernel.skip(task.id(), Optional.of(new ObjectMapper().readTree("{\"order\": 1}")), ""))
                .isInstanceOf(InvalidInputException.class);
        kernel.skip(
                task.id(),
                Optional.of(new ObjectMapper().readTree("{\"order\":\"throw\",\"reference\":\"manual\"}")),
                "shipped by hand");
        assertThat(until(skipped, r -> r.status() == RunStatus.COMPLETED)
                        .context()
                        .path("ship")
                        .path("reference")
                        .asText())
                .isEqualTo("manual");

        String undone = send("permanent", 7);
        until(undone, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        kernel.compensate(kernel.tasks(false).getFirst().id(), "refund them");
        var compensated = until(undone, r -> r.status() == RunStatus.COMPENSATED);
        assertThat(compensated.steps().getFirst().status()).isEqualTo(StepStatus.COMPENSATED);
        assertThat(REFUNDS)
                .contains(compensated.context().path("charge").path("reference").asText());

        String cancelled = send("permanent", 8);
        until(cancelled, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        kernel.reject(kernel.tasks(false).getFirst().id(), "customer called");
        assertThat(until(cancelled, r -> r.status().isFinal()).status()).isEqualTo(RunStatus.CANCELLED);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aStepThatDeclaresCompensationOnFailureUndoesTheRunInReverseOrder() throws Exception {
        start("""
                name: checkout
                trigger: order.placed
                defaults:
                  onFailure: compensate
                  retry: { attempts: 1 }
                steps:
                  - id: charge
                    agent: charge
                    input: { order: event.data.order, amount: event.data.amount }
                    compensate:
                      agent: refund
                      input: { order: steps.charge.order, reference: steps.charge.reference }
                  - id: charge-again
                    agent: charge
                    input:
                      order: "event.data.order + '-2'"
                      amount: event.data.amount
                    compensate:
                      agent: refund
                      input:
                        order: "steps['charge-again'].order"
                        reference: "steps['charge-again'].reference"
                  - id: ship
                    agent: ship
                    input: { order: event.data.order, amount: event.data.amount }
                """, b -> b);
        REFUNDS.clear();
        String run = send("permanent", 5);
        var done = until(run, r -> r.status() == RunStatus.COMPENSATED);
        assertThat(REFUNDS)
                .containsExactly(
                        done.context().path("charge-again").path("reference").asText(),
                        done.context().path("charge").path("reference").asText());
        assertThat(done.error()).get().asString().contains("the address is not deliverable");
        assertThat(kernel.tasks(false)).isEmpty();
    }

    @Test
    void whileABreakerIsOpenStepsWaitWithoutBurningAttempts() throws Exception {
        start(
                SAGA.replace("attempts: 2, backoff: 2s", "attempts: 10, backoff: 1s"),
                b -> b.connector("carrier", ConnectorPolicy.DEFAULT.withBreaker(100, 2, 2, Duration.ofHours(1))));
        String run = send("carrier-down", 1);
        var deferred = until(
                run,
                r -> r.steps().size() == 2
                        && r.steps().get(1).status().equals(StepStatus.DEFERRED)
                        && r.steps().get(1).deferredBy().equals(Optional.of("breaker")));
        var ship = deferred.steps().get(1);
        assertThat(ship.error()).get().asString().contains("circuit breaker of 'carrier' is open");
        assertThat(ship.attempts().stream().filter(a -> a.outcome().equals(AttemptOutcome.FAILED)))
                .hasSize(2);
        assertThat(deferred.status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void aSystemThatSaysComeBackLaterIsWaitedForWithoutUsingUpAttempts() throws Exception {
        start(SAGA, b -> b);
        BUSY.set(0);
        String run = send("busy", 1);
        var done = until(run, r -> r.status() == RunStatus.COMPLETED);
        var ship = done.steps().get(1);
        assertThat(ship.attempts())
                .extracting(StepView.AttemptView::outcome)
                .containsExactly(AttemptOutcome.DEFERRED, AttemptOutcome.DEFERRED, AttemptOutcome.COMPLETED);
        assertThat(ship.attempts().getFirst().error()).get().asString().contains("429 Too Many Requests");
    }

    @Test
    void cancellingARunUndoesWhatItDid() throws Exception {
        start(SAGA.replace("  - id: ship\n", "  - id: hold\n    wait: { for: 30d }\n  - id: ship\n"), b -> b);
        REFUNDS.clear();
        String run = send("o-1", 1);
        until(run, r -> r.status() == RunStatus.WAITING);
        assertThat(kernel.cancel(run, "customer withdrew").status()).isEqualTo(RunStatus.COMPENSATING);
        var done = until(run, r -> r.status().isFinal());
        assertThat(done.status()).isEqualTo(RunStatus.COMPENSATED);
        assertThat(REFUNDS).hasSize(1);
        assertThatThrownBy(() -> kernel.cancel(run, "")).isInstanceOf(ConflictException.class);
    }

    @Test
    void aReplayedRunMatchesItsStoredState() throws Exception {
        start(SAGA, b -> b);
        String run = send("o-13", 13);
        until(run, r -> r.status() == RunStatus.COMPLETED);
        var replay = kernel.replay(run, true);
        assertThat(replay.divergences()).isEmpty();
        assertThat(replay.entries()).isEqualTo(kernel.journal(run).size());
    }
}
