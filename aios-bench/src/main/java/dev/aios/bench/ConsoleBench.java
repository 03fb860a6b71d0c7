package dev.aios.bench;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TaskQuery;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelsExtension;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.console.Console;
import dev.aios.server.internal.console.LiveFeed;
import dev.aios.server.internal.console.LocalAccess;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * How long the console's busiest pages take with a realistic backlog: the inbox and a run page with
 * 10,000 runs and 1,000 open tasks in the database, measured as loopback request time (an upper
 * bound of server time), beside the kernel reads those pages make and a trivial route ({@code
 * GET /health}) in the same process.
 *
 * <p>Run it with {@code java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*'
 * dev.aios.bench.ConsoleBench [--runs N] [--requests N] [--dir DIR]} after {@code aios-bench/run
 * --help} has built the jar.
 */
public final class ConsoleBench {
    private static final String PLAYBOOK = """
            name: bench-leads
            trigger:
              event: bench.lead
            steps:
              - id: score
                agent: bench-score
                input: { n: event.data.n, customer: run.subject }
                approval:
                  when: input.n % 10 == 0
              - id: note
                agent: bench-note
                input: { customer: run.subject, score: steps.score.score }
            """;

    /** A lead's number and customer. */
    public record Lead(int n, String customer) {}

    /** Its score. */
    public record Score(int score, double confidence) {}

    /** A note about a scored lead. */
    public record Scored(String customer, int score) {}

    static final class ScoreAgent implements Agent<Lead, Score> {
        @Override
        public Contract<Lead, Score> contract() {
            return Contract.of("bench-score", "1.0.0", Lead.class, Score.class);
        }

        @Override
        public Score run(Lead input, AgentContext context) {
            return new Score(input.n() % 100, 0.5);
        }
    }

    static final class NoteAgent implements Agent<Scored, Scored> {
        @Override
        public Contract<Scored, Scored> contract() {
            return Contract.of("bench-note", "1.0.0", Scored.class, Scored.class);
        }

        @Override
        public Scored run(Scored input, AgentContext context) {
            return input;
        }
    }

    private ConsoleBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 10_000;
        int requests = 300;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: ConsoleBench [--runs N] [--requests N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        var work = Files.createTempDirectory(Files.createDirectories(dir), "aios-console-bench");
        Files.createDirectories(work.resolve("playbooks"));
        Files.writeString(work.resolve("playbooks/bench-leads.yaml"), PLAYBOOK);
        var models = new ModelsExtension(ModelSettings.none());
        var memory = MemoryExtension.of(MemorySettings.from(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree("{\"embeddings\": {\"provider\": \"none\"}}")));
        var live = new LiveFeed();
        try (var kernel = Kernel.builder()
                .dataDirectory(work.resolve("data"))
                .agent(new ScoreAgent())
                .agent(new NoteAgent())
                .playbookDirectory(work.resolve("playbooks"))
                .extension(models)
                .extension(memory)
                .extension(live)
                .build()) {
            kernel.start();
            long filling = System.nanoTime();
            fill(kernel, runs);
            System.err.printf(
                    Locale.ROOT,
                    "filled %d runs (%d open tasks) in %.0f s%n",
                    runs,
                    kernel.overview().openTasks(),
                    (System.nanoTime() - filling) / 1e9);
            var access = new LocalAccess(InstantSource.system());
            try (var server = ApiServer.start(
                    kernel,
                    "127.0.0.1",
                    0,
                    new Console(kernel, live, models, memory, access, InstantSource.system()))) {
                var base = "http://127.0.0.1:" + server.port();
                var http = HttpClient.newBuilder()
                        .cookieHandler(new CookieManager())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build();
                get(http, base + "/login?code=" + access.oneTimeCode(), 303);
                var withTask = kernel.taskPage(TaskQuery.open().withLimit(1))
                        .items()
                        .getFirst()
                        .runId();
                var completed = kernel.runs(
                                RunQuery.all().withStatus(RunStatus.COMPLETED).withLimit(1))
                        .getFirst()
                        .id();
                var rows = new ArrayList<String[]>();
                rows.add(row("GET / (inbox, 1,000 open tasks)", requests, () -> get(http, base + "/", 200)));
                rows.add(row(
                        "GET /runs/{id} (run with an open task)",
                        requests,
                        () -> get(http, base + "/runs/" + withTask, 200)));
                rows.add(row(
                        "GET /runs/{id} (completed run)", requests, () -> get(http, base + "/runs/" + completed, 200)));
                rows.add(row("GET /runs (first page of 10,000)", requests, () -> get(http, base + "/runs", 200)));
                rows.add(row(
                        "GET /health (baseline: trivial JSON route)",
                        requests,
                        () -> get(http, base + "/health", 200)));
                rows.add(row("kernel reads of the inbox (in process)", requests, () -> {
                    kernel.openTasksByKind();
                    return kernel.taskPage(TaskQuery.open().withKind("review").withLimit(20))
                            .items()
                            .size();
                }));
                rows.add(row("kernel reads of a run page (in process)", requests, () -> {
                    kernel.run(withTask);
                    kernel.journal(withTask, 0, 500);
                    return (int) kernel.verifyChain(withTask).entries();
                }));
                System.out.println("| request | p50 ms | p90 ms | p99 ms |");
                System.out.println("|---|---:|---:|---:|");
                rows.forEach(r -> System.out.println("| " + String.join(" | ", r) + " |"));
            }
        }
    }

    /** Sends {@code runs} leads, at most 256 at a time, and waits until every run has settled. */
    private static void fill(Kernel kernel, int runs) throws Exception {
        var inFlight = new Semaphore(256);
        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < runs; i++) {
                int n = i;
                inFlight.acquire();
                senders.submit(() -> {
                    try {
                        kernel.send(new Event(
                                UUID.randomUUID().toString(),
                                "bench.lead",
                                "customer-" + n,
                                "bench",
                                Instant.now(),
                                new com.fasterxml.jackson.databind.ObjectMapper()
                                        .createObjectNode()
                                        .put("n", n),
                                "",
                                ""));
                    } finally {
                        inFlight.release();
                    }
                    return null;
                });
            }
        }
        long open = runs / 10 + (runs % 10 == 0 ? 0 : 1);
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (true) {
            var overview = kernel.overview();
            if (overview.runs().get(RunStatus.COMPLETED) + overview.openTasks() >= runs
                    && overview.openTasks() >= open) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the runs did not settle within 30 minutes: " + overview);
            }
            Thread.sleep(500);
        }
    }

    private static int get(HttpClient http, String url, int expected) {
        try {
            var response = http.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != expected) {
                throw new IllegalStateException("GET " + url + " answered " + response.statusCode());
            }
            return response.body().length();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Warms up, then times {@code requests} calls one after another; p50, p90, p99 in milliseconds. */
    private static String[] row(String name, int requests, Supplier<Integer> call) {
        for (int i = 0; i < Math.max(20, requests / 5); i++) {
            call.get();
        }
        var times = new ArrayList<Long>(requests);
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            call.get();
            times.add(System.nanoTime() - start);
        }
        times.sort(Comparator.naturalOrder());
        System.err.println("measured " + name);
        return new String[] {name, ms(times, 0.50), ms(times, 0.90), ms(times, 0.99)};
    }

    private static String ms(List<Long> sorted, double quantile) {
        long nanos = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
