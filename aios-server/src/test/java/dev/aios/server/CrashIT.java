package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.testing.Http;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of checkouts (charge, capture, receipt: three effects on a payments API that
 * deduplicates by idempotency key) through a real server process that is killed with SIGKILL at
 * random moments and restarted on the same data directory, while events keep arriving. Whatever
 * the kills interrupt, every run completes, every effect reaches the payments API under one key
 * per step and is applied once, and the data directory verifies.
 */
class CrashIT {
    private static final int RUNS = 500;
    private static final int SUBMITTERS = 4;
    /** Runs submitted beyond those whose receipt was sent, so that submissions go on through the whole test. */
    private static final int AHEAD = 60;

    private static final int KILLS = 6;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyPaymentIsMadeOnceThoughTheServerIsKilledAgainAndAgain(TestReporter reporter) throws Exception {
        long seed = Long.getLong("aios.crashTest.seed", System.nanoTime());
        var random = new Random(seed);
        long started = System.nanoTime();
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("checkout.yaml"), PaymentAgents.CHECKOUT);

        try (var payments = Payments.start();
                var server = ServerProcess.builder(directory)
                        .environment(PaymentAgents.URL_VARIABLE, payments.url())
                        .arguments("--playbooks", playbooks.toString(), "--no-examples")
                        .start()) {
            var http = server.http();
            var submissions = new Submissions(http, payments);
            ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < SUBMITTERS; i++) {
                running.add(submitters.submit(submissions::submitAll));
            }

            int kills = 0;
            for (long at : killPoints(random)) {
                Poll.until(
                        "progress to reach " + at + " (events acknowledged + payments applied)",
                        () -> submissions.acknowledged.get()
                                + payments.applied().size(),
                        progress -> progress >= at,
                        DEADLINE,
                        () -> server.explain("server log"));
                server.killHard();
                kills++;
                server.restart();
            }
            for (var submitter : running) {
                submitter.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
            submitters.shutdown();
            Poll.until(
                    "all " + RUNS + " runs to complete",
                    () -> http.get("/health").expect(200).json(),
                    health -> health.path("runs").path("completed").asInt() == RUNS,
                    DEADLINE,
                    () -> unfinished(http) + "\n" + server.explain("server log"));

            var runs = runsByOrder(http);
            for (var run : runs.values()) {
                Checkouts.assertPaidOnce(http, payments, run.path("id").asText());
            }
            assertThat(http.get("/api/tasks").expect(200).json())
                    .as("open tasks")
                    .isEmpty();
            Checkouts.assertOneKeyPerStep(payments, runs.values(), RUNS);

            int exitCode = server.stop();
            assertThat(exitCode).as(server.explain("exit code after SIGTERM")).isIn(0, 143);
            Checkouts.assertVerifies(server, RUNS);

            int duplicates = payments.requestCount() - payments.applied().size();
            var figures = String.format(
                    "crash test (seed %d): %d runs, %d kills, %d payment requests for %d keys (%d repeated with the"
                            + " same key), %d event submissions retried, %d acknowledged as duplicates, %.1f s",
                    seed,
                    runs.size(),
                    kills,
                    payments.requestCount(),
                    payments.applied().size(),
                    duplicates,
                    submissions.retried.get(),
                    submissions.duplicates.get(),
                    (System.nanoTime() - started) / 1e9);
            System.out.println(figures);
            reporter.publishEntry("figures", figures);
            assertThat(kills).isGreaterThanOrEqualTo(5);
        }
    }

    /** Sends the order events, each until it is acknowledged, retrying while the server is down. */
    private static final class Submissions {
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger acknowledged = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        private final Http http;
        private final Payments payments;

        Submissions(Http http, Payments payments) {
            this.http = http;
            this.payments = payments;
        }

        void submitAll() {
            for (int n = next.getAndIncrement(); n < RUNS; n = next.getAndIncrement()) {
                int order = n;
                Poll.until(
                        "receipts to catch up before order " + order + " is sent",
                        () -> payments.appliedCount("receipts"),
                        receipts -> receipts >= order - AHEAD,
                        DEADLINE);
                var event = "{\"id\": \"order-" + order + "\", \"type\": \"order.placed\", \"subject\": \"order-"
                        + order + "\", \"data\": {\"amount\": " + (100 + order) + "}}";
                var tries = new AtomicInteger();
                var answer = Poll.until(
                        "event order-" + order + " to be acknowledged",
                        () -> {
                            if (tries.getAndIncrement() > 0) {
                                retried.incrementAndGet();
                            }
                            return http.post("/api/events", event);
                        },
                        response -> response.status() != 503,
                        DEADLINE);
                answer.expect(202, 200);
                if (answer.status() == 200) {
                    // The event was recorded before a kill cut the first answer off.
                    assertThat(answer.json().path("duplicate").asBoolean()).isTrue();
                    duplicates.incrementAndGet();
                }
                acknowledged.incrementAndGet();
            }
        }
    }

    /** Where to kill: one random point in each of {@link #KILLS} equal stretches of the expected progress. */
    private static List<Long> killPoints(Random random) {
        long total = RUNS + (long) RUNS * Checkouts.STEPS.size();
        long first = total / 20;
        long stretch = (total - 2 * first) / KILLS;
        var points = new ArrayList<Long>();
        for (int i = 0; i < KILLS; i++) {
            points.add(first + i * stretch + random.nextLong(stretch));
        }
        return points;
    }

    /** The runs, by the order they are about; fails unless each order started exactly one run. */
    private static Map<String, JsonNode> runsByOrder(Http http) {
        var runs = http.get("/api/runs?limit=1000").expect(200).json();
        Map<String, List<JsonNode>> bySubject = StreamSupport.stream(runs.spliterator(), false)
                .collect(Collectors.groupingBy(run -> run.path("subject").asText()));
        assertThat(bySubject).as("orders with runs").hasSize(RUNS);
        var byOrder = new HashMap<String, JsonNode>();
        bySubject.forEach((order, ofOrder) -> {
            assertThat(ofOrder).as("runs of " + order).hasSize(1);
            byOrder.put(order, ofOrder.get(0));
        });
        return byOrder;
    }

    private static String unfinished(Http http) {
        var lines = new StringBuilder("runs not completed:");
        for (var status : List.of("running", "waiting", "needs-attention", "compensating", "failed", "cancelled")) {
            try {
                for (var run : http.get("/api/runs?limit=20&status=" + status).json()) {
                    lines.append("\n  ").append(run);
                }
            } catch (RuntimeException e) {
                lines.append("\n  (").append(status).append(": ").append(e).append(")");
            }
        }
        try {
            lines.append("\nopen tasks: ").append(http.get("/api/tasks").json());
        } catch (RuntimeException e) {
            lines.append("\nopen tasks: (").append(e).append(")");
        }
        return lines.toString();
    }
}
