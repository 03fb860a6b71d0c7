package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task graph through a real server process killed with SIGKILL in the middle of it: a child run
 * (the three-payment checkout) whose charge is in flight, then a parallel step whose one branch
 * charges once and whose other charges each of 1,000 lines in a forEach, 16 at a time, killed twice
 * in the middle with payments in flight. After the restarts every payment was made once under one
 * key per step and item, both runs complete, nothing waits for the operator, and the journals
 * replay and verify.
 */
class TaskGraphCrashIT {
    private static final int LINES = 1_000;
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    static final String ORDER = """
            name: big-order
            trigger: big.order
            defaults:
              retry: { attempts: 20, backoff: 100ms, multiplier: 2, maxBackoff: 1s, jitter: 0.2 }
            steps:
              - id: checkout
                call:
                  playbook: checkout
                  input: { amount: event.data.deposit }
                  wait: true
              - id: lines
                parallel:
                  deposit:
                    - id: charge
                      agent: payments-charge
                      input: { order: "run.subject + '/deposit'", amount: event.data.deposit }
                  each:
                    - id: items
                      forEach: event.data.lines
                      as: line
                      concurrency: 16
                      collect: steps.bill.charge
                      steps:
                        - id: bill
                          agent: payments-charge
                          input: { order: "run.subject + '/line-' + string(line)", amount: line }
                join: all
            """;

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void aChildRunAParallelJoinAndAThousandItemForEachPayOnceThoughKilledMidway(TestReporter reporter)
            throws Exception {
        long started = System.nanoTime();
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("checkout.yaml"), PaymentAgents.CHECKOUT);
        Files.writeString(playbooks.resolve("big-order.yaml"), ORDER);

        try (var payments = Payments.start();
                var server = ServerProcess.builder(directory)
                        .environment(PaymentAgents.URL_VARIABLE, payments.url())
                        .arguments("--playbooks", playbooks.toString(), "--no-examples")
                        .start()) {
            var http = server.http();
            var lines = new StringBuilder();
            for (int i = 1; i <= LINES; i++) {
                lines.append(i == 1 ? "" : ",").append(i);
            }
            payments.hold();
            var accepted = http.post(
                            "/api/events",
                            "{\"id\": \"big-1\", \"type\": \"big.order\", \"subject\": \"acme\", \"data\":"
                                    + " {\"deposit\": 500, \"lines\": [" + lines + "]}}")
                    .expect(202)
                    .json();
            assertThat(accepted.path("started"))
                    .as("runs started by " + accepted)
                    .hasSize(1);

            // 1: the child run's charge is in flight
            killHeld(server, payments);
            // 2: in the middle of the forEach, with the parallel join pending
            killAfter(server, payments, 300);
            // 3: later in the forEach, with payments in flight
            Poll.until(
                    "600 payments",
                    () -> payments.applied().size(),
                    n -> n >= 600,
                    DEADLINE,
                    () -> server.explain("log"));
            killWhileHeld(server, payments);

            var runs = Poll.until(
                    "both runs to complete",
                    () -> http.get("/api/runs?limit=10").expect(200).json(),
                    all -> all.size() == 2
                            && StreamSupport.stream(all.spliterator(), false)
                                    .allMatch(r -> r.path("status").asText().equals("completed")),
                    DEADLINE,
                    () -> http.get("/api/runs?limit=10").body() + "\n" + server.explain("server log"));

            var byPlaybook = new HashMap<String, String>();
            runs.forEach(r ->
                    byPlaybook.put(r.path("playbook").asText(), r.path("id").asText()));
            String parent = byPlaybook.get("big-order");
            String child = byPlaybook.get("checkout");
            var parentRun = http.get("/api/runs/" + parent).expect(200).json();
            assertThat(parentRun.path("context").path("lines").path("each").path("items"))
                    .as("every line's charge collected, in order")
                    .hasSize(LINES);

            var applied = payments.applied();
            assertThat(applied).as("one payment per step and item").hasSize(3 + 1 + LINES);
            Map<String, Integer> ordersCharged = new HashMap<>();
            applied.values().stream()
                    .filter(a -> a.operation().equals("charges"))
                    .forEach(a -> ordersCharged.merge(a.request().path("order").asText(), 1, Integer::sum));
            assertThat(ordersCharged.values()).as("no order charged twice").containsOnly(1);
            var expected = new HashSet<String>();
            for (int i = 1; i <= LINES; i++) {
                expected.add("acme/line-" + i);
            }
            expected.add("acme/deposit");
            expected.add("acme");
            assertThat(ordersCharged.keySet()).isEqualTo(expected);
            assertThat(applied.values().stream().map(Payments.Applied::run).distinct())
                    .containsExactlyInAnyOrder(parent, child);

            assertThat(http.get("/api/tasks").expect(200).json())
                    .as("open tasks")
                    .isEmpty();
            for (var run : new String[] {parent, child}) {
                var replay = http.post("/api/runs/" + run + "/replay?full=true")
                        .expect(200)
                        .json();
                assertThat(replay.path("divergences")).as("replay of " + run).isEmpty();
            }
            int exitCode = server.stop();
            assertThat(exitCode).as(server.explain("exit code after SIGTERM")).isIn(0, 143);
            Checkouts.assertVerifies(server, 2);

            var figures = String.format(
                    "task graph crash test: 3 kills, %d payment requests for %d keys, %.1f s",
                    payments.requestCount(), applied.size(), (System.nanoTime() - started) / 1e9);
            System.out.println(figures);
            reporter.publishEntry("figures", figures);
        }
    }

    /** Kills the server while a payment request is held before it is applied, then lets it through. */
    private static void killWhileHeld(ServerProcess server, Payments payments) {
        payments.hold();
        killHeld(server, payments);
    }

    /** Kills the server once a payment request is held (the payments API holds them), then lets it through. */
    private static void killHeld(ServerProcess server, Payments payments) {
        Poll.until(
                "a payment to be in flight", payments::held, held -> held > 0, DEADLINE, () -> server.explain("log"));
        server.killHard();
        payments.release();
        server.restart();
    }

    private static void killAfter(ServerProcess server, Payments payments, int applied) {
        Poll.until(
                applied + " payments",
                () -> payments.applied().size(),
                n -> n >= applied,
                DEADLINE,
                () -> server.explain("log"));
        server.killHard();
        server.restart();
    }
}
