package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.testing.Http;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code aios up} processes share one PostgreSQL database (a real one, from zonky's embedded
 * binaries). Checkouts (charge, capture, receipt on a payments API that deduplicates by idempotency
 * key) arrive spread over the nodes while two of them are killed with SIGKILL in the middle of the
 * work, one of them started again. The survivors take over the steps the dead nodes held, every
 * order gets exactly one run, every payment is made once, {@code GET /health} names the nodes alive,
 * and {@code aios admin verify} finds the shared database intact.
 */
class SharedPostgresIT {
    private static final int RUNS = 1_000;
    private static final int NODES = 3;
    private static final int SUBMITTERS = 3;
    private static final int CHECKERS = 4;
    /** Runs submitted beyond those whose receipt was sent, so that submissions go on through the whole test. */
    private static final int AHEAD = 50;
    /** Generous: a dead node's steps wait 30 s before the others take them over, on a loaded machine. */
    private static final Duration DEADLINE = Duration.ofSeconds(150);
    /** The playbook of the policy's alert runs (an anomaly alert waits for the operator's acknowledgement). */
    private static final String ALERTS = "aios-policy-alert";

    private static final Pattern TOOK_OVER = Pattern.compile("took over (\\d+) steps");

    @TempDir
    Path directory;

    @Test
    // Each phase has its own deadline; this only ends a test that hangs on a machine under heavy load.
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void everyPaymentIsMadeOnceThoughNodesSharingTheDatabaseAreKilled(TestReporter reporter) throws Exception {
        long started = System.nanoTime();
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("checkout.yaml"), PaymentAgents.CHECKOUT);
        var masterKey = new byte[32];
        new SecureRandom().nextBytes(masterKey);

        try (var postgres = EmbeddedPostgres.builder().start();
                var payments = Payments.start()) {
            var url = postgres.getJdbcUrl("postgres", "postgres");
            var nodes = new ArrayList<ServerProcess>();
            try {
                nodes.add(node(0, url, payments, playbooks, masterKey));
                // The others start together, on tables the first one created.
                var starting = Executors.newFixedThreadPool(NODES - 1);
                var others = new ArrayList<Future<ServerProcess>>();
                for (int i = 1; i < NODES; i++) {
                    int n = i;
                    others.add(starting.submit(() -> node(n, url, payments, playbooks, masterKey)));
                }
                for (var other : others) {
                    nodes.add(other.get(5, TimeUnit.MINUTES));
                }
                starting.shutdown();
                long up = System.nanoTime();
                // The first node made the admin token; the others share its tokens table.
                var token = nodes.get(0).adminToken().orElseThrow();
                var clients = nodes.stream()
                        .map(node -> Http.to(node.baseUrl()).withToken(token))
                        .toList();
                var http = clients.get(0);
                assertThat(nodeNames(http))
                        .as("nodes in GET /health once all are up")
                        .hasSize(NODES)
                        .allSatisfy(
                                name -> assertThat(pids(nodes)).anyMatch(pid -> name.startsWith("node-" + pid + "-")));

                var submissions = new Submissions(clients, payments);
                ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < SUBMITTERS; i++) {
                    running.add(submitters.submit(submissions::submitAll));
                }

                long total = (long) RUNS * Checkouts.STEPS.size();
                awaitReceipts(payments, total / 4 / 3, nodes);
                var first = nodes.get(1);
                long firstPid = first.pid();
                first.killHard();
                awaitReceipts(payments, total / 2 / 3, nodes);
                var second = nodes.get(2);
                second.killHard();
                first.restart();

                for (var submitter : running) {
                    submitter.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                }
                submitters.shutdown();
                Poll.until(
                        "all " + RUNS + " runs to complete",
                        () -> http.get("/health").expect(200).json(),
                        health -> health.path("runs").path("completed").asInt() == RUNS,
                        DEADLINE,
                        () -> explain(nodes));

                long completed = System.nanoTime();
                var runs = runsByOrder(http);
                // Admin verify counts the policy's alert runs too.
                int alerts = http.getAll("/api/runs?limit=500").size() - RUNS;
                // Each run is read, its journal checked and replayed, by the two nodes alive, four at a time.
                var checking = Executors.newFixedThreadPool(CHECKERS);
                try {
                    var checks = new ArrayList<Future<?>>();
                    int n = 0;
                    for (var run : runs.values()) {
                        var client = clients.get(n++ % 2);
                        checks.add(checking.submit(() -> Checkouts.assertPaidOnce(
                                client, payments, run.path("id").asText())));
                    }
                    for (var check : checks) {
                        try {
                            check.get();
                        } catch (ExecutionException e) {
                            throw e.getCause() instanceof AssertionError failed
                                    ? failed
                                    : new AssertionError(e.getCause());
                        }
                    }
                } finally {
                    checking.shutdownNow();
                }
                Checkouts.assertOneKeyPerStep(payments, runs.values(), RUNS);
                // An alert run (above) asks the operator to acknowledge its alert: that task is rightly open.
                var alertRuns = http.getAll("/api/runs?limit=500").stream()
                        .filter(run -> run.path("playbook").asText().equals(ALERTS))
                        .map(run -> run.path("id").asText())
                        .collect(Collectors.toSet());
                var openTasks = new ArrayList<JsonNode>();
                http.get("/api/tasks").expect(200).json().forEach(task -> {
                    if (!alertRuns.contains(task.path("runId").asText())) {
                        openTasks.add(task);
                    }
                });
                assertThat(openTasks).as("open tasks of the orders' runs").isEmpty();

                int takenOver = nodes.stream()
                        .mapToInt(node -> takenOver(node.logTail(100_000)))
                        .sum();
                assertThat(takenOver)
                        .as("steps the surviving nodes took over from the killed ones\n" + explain(nodes))
                        .isPositive();
                for (var node : nodes) {
                    assertThat(node.logTail(100_000).lines().filter(line -> line.contains("the database at")))
                            .as("statements PostgreSQL refused, in the log of " + node.dataDirectory())
                            .isEmpty();
                }
                var alive = List.of(nodes.get(0).pid(), first.pid());
                Poll.until(
                        "GET /health to name only the nodes alive (pids " + alive + "; killed " + firstPid + ", "
                                + second.pid() + ")",
                        () -> nodeNames(clients.get(1)),
                        names -> names.size() == 2
                                && names.stream().allMatch(name -> alive.stream()
                                        .anyMatch(pid -> name.startsWith("node-" + pid + "-"))),
                        Duration.ofSeconds(90));

                for (var node : List.of(nodes.get(0), first)) {
                    assertThat(node.stop())
                            .as(node.explain("exit code after SIGTERM"))
                            .isIn(0, 143);
                }
                Checkouts.assertVerifies(nodes.get(0), RUNS + alerts, "--db", url);

                int duplicates = payments.requestCount() - payments.applied().size();
                var figures = String.format(
                        "shared PostgreSQL: %d nodes, %d runs, 2 killed, %d steps taken over, %d payment requests for"
                                + " %d keys (%d repeated with the same key), %d event submissions retried; %.1f s: nodes up"
                                + " in %.1f s, runs done %.1f s later, checked %.1f s later",
                        NODES,
                        runs.size(),
                        takenOver,
                        payments.requestCount(),
                        payments.applied().size(),
                        duplicates,
                        submissions.retried.get(),
                        (System.nanoTime() - started) / 1e9,
                        (up - started) / 1e9,
                        (completed - up) / 1e9,
                        (System.nanoTime() - completed) / 1e9);
                System.out.println(figures);
                reporter.publishEntry("figures", figures);
            } finally {
                nodes.forEach(ServerProcess::close);
            }
        }
    }

    private ServerProcess node(int n, String url, Payments payments, Path playbooks, byte[] masterKey)
            throws java.io.IOException {
        // Every node has the same master key, as the operator copies it to each.
        var data = Files.createDirectories(directory.resolve("node-" + n).resolve("data"));
        Files.writeString(data.resolve("master.key"), Base64.getEncoder().encodeToString(masterKey) + "\n");
        Files.setPosixFilePermissions(data.resolve("master.key"), PosixFilePermissions.fromString("rw-------"));
        return ServerProcess.builder(directory.resolve("node-" + n))
                .environment(PaymentAgents.URL_VARIABLE, payments.url())
                .arguments("--db", url, "--playbooks", playbooks.toString(), "--no-examples")
                .start();
    }

    private static void awaitReceipts(Payments payments, long receipts, List<ServerProcess> nodes) {
        Poll.until(
                receipts + " receipts to be sent",
                () -> payments.appliedCount("receipts"),
                sent -> sent >= receipts,
                DEADLINE,
                () -> explain(nodes));
    }

    private static List<Long> pids(List<ServerProcess> nodes) {
        return nodes.stream().map(ServerProcess::pid).toList();
    }

    private static List<String> nodeNames(Http http) {
        return StreamSupport.stream(
                        http.get("/health").expect(200).json().path("nodes").spliterator(), false)
                .map(node -> node.path("name").asText())
                .toList();
    }

    private static int takenOver(String log) {
        var matcher = TOOK_OVER.matcher(log);
        int steps = 0;
        while (matcher.find()) {
            steps += Integer.parseInt(matcher.group(1));
        }
        return steps;
    }

    private static String explain(List<ServerProcess> nodes) {
        return nodes.stream()
                .map(node -> node.explain("node " + node.dataDirectory()))
                .collect(Collectors.joining("\n"));
    }

    /** Sends the order events, each to the next node that acknowledges it, while nodes die and return. */
    private static final class Submissions {
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger retried = new AtomicInteger();
        private final List<Http> nodes;
        private final Payments payments;

        Submissions(List<Http> nodes, Payments payments) {
            this.nodes = nodes;
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
                        "event order-" + order + " to be acknowledged by a node",
                        () -> {
                            int attempt = tries.getAndIncrement();
                            if (attempt > 0) {
                                retried.incrementAndGet();
                            }
                            return nodes.get((order + attempt) % nodes.size()).post("/api/events", event);
                        },
                        response -> response.status() != 503,
                        DEADLINE);
                answer.expect(202, 200);
            }
        }
    }

    /**
     * The runs, by the order they are about; fails unless each order started exactly one run. The
     * policy's alert runs are left out: nodes killed mid-step may rightly raise an anomaly alert.
     */
    private static Map<String, JsonNode> runsByOrder(Http http) {
        Map<String, List<JsonNode>> bySubject = http.getAll("/api/runs?limit=500").stream()
                .filter(run -> !run.path("playbook").asText().equals(ALERTS))
                .collect(Collectors.groupingBy(run -> run.path("subject").asText()));
        assertThat(bySubject).as("orders with runs").hasSize(RUNS);
        var byOrder = new HashMap<String, JsonNode>();
        bySubject.forEach((order, ofOrder) -> {
            assertThat(ofOrder).as("runs of " + order).hasSize(1);
            byOrder.put(order, ofOrder.get(0));
        });
        return byOrder;
    }
}
