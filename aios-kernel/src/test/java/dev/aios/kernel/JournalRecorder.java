package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.OperatorNeeded;
import dev.aios.api.PermanentFailure;
import dev.aios.api.TryAgainLater;
import dev.aios.kernel.internal.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records the journals that {@code RecordedJournalsTest} replays: realistic runs (retries, effects,
 * deferrals, every kind of task, waits and awaits, compensation, cancellation, forgetting), each
 * scenario in a file of its own with the entries exactly as stored, what they decode to, the run
 * as the operator saw it, and the subject keys. Recorded once per journal format; the files are
 * then kept as they are, so that every later version must still read them.
 *
 * <p>{@code mvn -pl aios-kernel -am test -Dtest=JournalRecorder -Dsurefire.failIfNoSpecifiedTests=false
 * -Daios.recordJournals=aios-kernel/src/test/resources/journals/v1}
 */
@EnabledIfSystemProperty(named = "aios.recordJournals", matches = ".+")
class JournalRecorder extends RecordingSession {
    record Order(String order, int amount) {}

    record Receipt(String order, String reference) {}

    record Lead(String company, int budget) {}

    record Score(int score, double confidence) {}

    record Note(String text) {}

    record Mail(String to, String body) {}

    /** Charges through an effect and notes what it did; fails after the charge while the amount is 13. */
    static final class Charge implements Agent<Order, Receipt> {
        @Override
        public Contract<Order, Receipt> contract() {
            return Contract.of("charge", "1.0.0", Order.class, Receipt.class).withEffects("payments");
        }

        @Override
        public Receipt run(Order input, AgentContext ctx) throws Exception {
            String reference = ctx.effect("payments:charge", String.class, key -> "ch-" + input.order());
            ctx.note("ledger", Json.object().put("charged", input.amount()));
            if (input.amount() == 13 && ctx.attempt() < 3) {
                throw new IllegalStateException("network glitch after the charge");
            }
            return new Receipt(input.order(), reference);
        }
    }

    /** Refunds through an effect; a reference starting with "stuck" cannot be refunded. */
    static final class Refund implements Agent<Receipt, Receipt> {
        @Override
        public Contract<Receipt, Receipt> contract() {
            return Contract.of("refund", "1.0.0", Receipt.class, Receipt.class).withEffects("payments");
        }

        @Override
        public Receipt run(Receipt input, AgentContext ctx) throws Exception {
            if (input.order().startsWith("stuck")) {
                throw new PermanentFailure("the payment provider refuses refunds of " + input.order());
            }
            return ctx.effect(
                    "payments:refund", Receipt.class, key -> new Receipt(input.order(), "re-" + input.reference()));
        }
    }

    /** Ships, or misbehaves as the order says. */
    static final class Ship implements Agent<Order, Receipt> {
        static volatile int busy;

        @Override
        public Contract<Order, Receipt> contract() {
            return Contract.of("ship", "1.0.0", Order.class, Receipt.class).withEffects("carrier");
        }

        @Override
        public Receipt run(Order input, AgentContext ctx) {
            return switch (input.order()) {
                case "throw" -> throw new IllegalArgumentException("no such warehouse");
                case "permanent", "stuck" -> throw new PermanentFailure("the address is not deliverable");
                case "busy" -> {
                    if (busy++ < 2) {
                        throw new TryAgainLater("429 Too Many Requests", Duration.ofSeconds(30));
                    }
                    yield new Receipt("busy", "shipped after waiting");
                }
                default -> new Receipt(input.order(), "shipped");
            };
        }
    }

    static final class Scorer implements Agent<Lead, Score> {
        @Override
        public Contract<Lead, Score> contract() {
            return Contract.of("score-lead", "1.0.0", Lead.class, Score.class);
        }

        @Override
        public Score run(Lead input, AgentContext context) {
            return new Score(Math.min(100, input.budget() / 100), input.budget() >= 5000 ? 0.95 : 0.5);
        }
    }

    static final class Reminder implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("remind", "1.0.0", Note.class, Note.class);
        }

        @Override
        public Note run(Note input, AgentContext context) {
            return new Note("reminded: " + input.text() + " #" + context.iteration());
        }
    }

    /** Cannot write mail on its own: hands the operator a draft. */
    static final class Drafter implements Agent<Note, Mail> {
        @Override
        public Contract<Note, Mail> contract() {
            return Contract.of("draft-mail", "1.0.0", Note.class, Mail.class);
        }

        @Override
        public Mail run(Note input, AgentContext context) {
            throw new OperatorNeeded(
                    "Write to " + input.text(),
                    "no model provider is configured",
                    Json.object().put("to", input.text()).put("body", "Dear " + input.text()));
        }
    }

    static final String CHECKOUT = """
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
              - id: hold
                branch:
                  - when: event.data.amount == 99
                    goto: pause
                otherwise: ship
              - id: pause
                wait: { for: 30d }
              - id: ship
                agent: ship
                input: { order: event.data.order, amount: event.data.amount }
                retry: { attempts: 2, backoff: 2s, nonRetryable: [IllegalArgumentException] }
            """;

    static final String UNDO = """
            name: undo
            trigger: refund.requested
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
              - id: ship
                agent: ship
                input: { order: event.data.order, amount: event.data.amount }
            """;

    static final String ONBOARDING = """
            name: onboarding
            trigger: lead.received
            steps:
              - id: score
                agent: score-lead
                input: { company: event.subject, budget: event.data.budget }
                approval: { when: output.confidence < 0.8 }
              - id: sprint
                wait: { for: 48h }
              - id: deliver
                await:
                  event: delivery.accepted
                  match: event.subject == run.subject
                  timeout: P7D
                  onTimeout: remind
                next: announce
              - id: announce
                emit:
                  type: project.delivered
                  data: { score: steps.score.score }
                next: mail
              - id: remind
                agent: remind
                input: { text: run.subject }
                next: deliver
              - id: mail
                agent: draft-mail
                input: { text: run.subject }
              - id: go
                approval:
                  title: Send it?
                  show: { mail: steps.mail.body }
                onReject: end
            """;

    void open(String name) throws Exception {
        start(
                name,
                Map.of("checkout.yaml", CHECKOUT, "undo.yaml", UNDO, "onboarding.yaml", ONBOARDING),
                builder -> builder.agent(new Charge())
                        .agent(new Refund())
                        .agent(new Ship())
                        .agent(new Scorer())
                        .agent(new Reminder())
                        .agent(new Drafter()));
    }

    @Test
    void retriesEffectsAndDeferrals() throws Exception {
        open("retries");
        String retried = order("order.placed", "o-13", 13);
        until(retried, r -> r.status() == RunStatus.COMPLETED);
        Ship.busy = 0;
        String deferred = order("order.placed", "busy", 1);
        until(deferred, r -> r.status() == RunStatus.COMPLETED);
        save(
                "retries-effects-and-deferrals",
                "a step failing after its effect, retried with the same key;" + " a carrier saying come back later");
    }

    @Test
    void parkedStepsAnsweredByTheOperator() throws Exception {
        open("parked");
        String skipped = order("order.placed", "throw", 1);
        until(skipped, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        kernel.retry(openTask(skipped).id(), "try once more");
        until(
                skipped,
                r -> r.status() == RunStatus.NEEDS_ATTENTION
                        && kernel.tasks(false).stream().anyMatch(t -> t.runId().equals(skipped)));
        kernel.skip(
                openTask(skipped).id(),
                Optional.of(Json.object().put("order", "throw").put("reference", "by hand")),
                "shipped by hand");
        until(skipped, r -> r.status() == RunStatus.COMPLETED);

        String compensated = order("order.placed", "permanent", 7);
        until(compensated, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        kernel.compensate(openTask(compensated).id(), "refund them");
        until(compensated, r -> r.status() == RunStatus.COMPENSATED);

        String cancelled = order("order.placed", "permanent", 8);
        until(cancelled, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        kernel.reject(openTask(cancelled).id(), "customer called");
        until(cancelled, r -> r.status() == RunStatus.CANCELLED);
        save("parked-steps", "dead letters retried, skipped with an output, compensated and cancelled");
    }

    @Test
    void compensation() throws Exception {
        open("compensation");
        String undone = order("refund.requested", "permanent", 5);
        until(undone, r -> r.status() == RunStatus.COMPENSATED);

        String stuck = order("refund.requested", "stuck", 6);
        until(stuck, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        kernel.skip(openTask(stuck).id(), Optional.empty(), "refunded by bank transfer");
        until(stuck, r -> r.status() == RunStatus.COMPENSATED);

        String waiting = order("order.placed", "o-99", 99);
        until(waiting, r -> r.status() == RunStatus.WAITING);
        kernel.cancel(waiting, "customer withdrew");
        until(waiting, r -> r.status() == RunStatus.COMPENSATED);

        String plain = order("order.placed", "o-2", 2);
        until(plain, r -> r.status() == RunStatus.COMPLETED);
        save(
                "compensation",
                "a failed step undoing the run; an undo that fails and is skipped by the operator;"
                        + " a waiting run cancelled and undone");
    }

    @Test
    void tasksWaitsAndAwaits() throws Exception {
        open("tasks");
        String edited = send("lead.received", "acme", Json.object().put("budget", 1200));
        until(
                edited,
                r -> r.status() == RunStatus.WAITING && !kernel.tasks(false).isEmpty());
        kernel.approve(
                openTask(edited).id(),
                Optional.of(Json.object().put("score", 40).put("confidence", 0.9)),
                "");
        until(edited, r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("sprint") && s.status().equals(StepStatus.WAITING)));
        clock.advance(Duration.ofHours(49));
        until(edited, r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("deliver") && s.status().equals(StepStatus.WAITING)));
        clock.advance(Duration.ofDays(8));
        until(
                edited,
                r -> r.steps().stream().anyMatch(s -> s.id().equals("remind")) && r.status() == RunStatus.WAITING);
        send("delivery.accepted", "acme", Json.object().put("by", "ada"));
        until(
                edited,
                r -> r.status() == RunStatus.WAITING
                        && kernel.tasks(false).stream().anyMatch(t -> t.runId().equals(edited)));
        kernel.approve(
                openTask(edited).id(),
                Optional.of(Json.object().put("to", "acme").put("body", "Dear Ada, it is done.")),
                "friendlier");
        until(edited, r -> r.steps().stream().anyMatch(s -> s.id().equals("go")) && r.status() == RunStatus.WAITING);
        kernel.approve(openTask(edited).id(), Optional.empty(), "send it");
        until(edited, r -> r.status() == RunStatus.COMPLETED);

        String rejected = send("lead.received", "globex", Json.object().put("budget", 900));
        until(
                rejected,
                r -> r.status() == RunStatus.WAITING
                        && kernel.tasks(false).stream().anyMatch(t -> t.runId().equals(rejected)));
        kernel.reject(openTask(rejected).id(), "not our kind of client");
        until(rejected, r -> r.status() == RunStatus.FAILED);
        save(
                "tasks-waits-and-awaits",
                "a review edited, a wait, an await timing out into a reminder and then"
                        + " taking its event, an emit, a draft edited, an approval; a review rejected");
    }

    @Test
    void forgetting() throws Exception {
        open("forgetting");
        String done = order("order.placed", "o-3", 3);
        until(done, r -> r.status() == RunStatus.COMPLETED);
        String waiting = order("order.placed", "o-99", 99);
        until(waiting, r -> r.status() == RunStatus.WAITING);
        String kept = order("order.placed", "o-4", 4);
        until(kept, r -> r.status() == RunStatus.COMPLETED);
        var before = new ArrayList<ObjectNode>();
        for (String run : runs) {
            before.add(recorded(run));
        }
        kernel.forget("o-3");
        kernel.forget("o-99");
        assertThat(kernel.run(waiting).status()).isEqualTo(RunStatus.CANCELLED);
        save("forgetting", "two subjects forgotten (one run completed, one cancelled while waiting), one kept", before);
    }
}
