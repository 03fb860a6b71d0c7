package dev.aios.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.ModelRequest;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The model gateway's overhead per call, against the scripted provider on loopback, beside a bare
 * LangChain4j call to the same server in the same run: the gateway adds routing, the budget check,
 * the cache lookup, the receipt in the journal and the ledger row, each made durable.
 *
 * <p>One step makes {@code --calls} model calls in a row; each call is timed inside the step, so
 * that the kernel's scheduling of the step is not counted. Run it with {@code java -cp
 * 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.ModelsBench [--calls N]
 * [--dir DIR]} after {@code mvn -B -q -DskipTests install}.
 */
public final class ModelsBench {
    /** Timings by run, in nanoseconds, filled by the agent inside the step. */
    private static final ConcurrentHashMap<String, List<Long>> TIMINGS = new ConcurrentHashMap<>();

    private ModelsBench() {}

    /** Makes {@code calls} model calls in one step; with {@code same}, every prompt is the same (cache hits). */
    record Burst(int calls, boolean same) {}

    /** How many calls were made. */
    record Done(int calls) {}

    static final class BurstAgent implements Agent<Burst, Done> {
        @Override
        public Contract<Burst, Done> contract() {
            return Contract.of("burst", "1", Burst.class, Done.class)
                    .withEffects("openai")
                    .withTimeout(Duration.ofMinutes(10));
        }

        @Override
        public Done run(Burst input, AgentContext context) {
            var models = context.model();
            var times = new ArrayList<Long>(input.calls());
            for (int i = 0; i < input.calls(); i++) {
                var request = ModelRequest.of("small", input.same() ? "Say hello." : "Say hello number " + i + ".");
                long started = System.nanoTime();
                models.complete(request);
                times.add(System.nanoTime() - started);
            }
            TIMINGS.put(context.runId(), times);
            return new Done(input.calls());
        }
    }

    public static void main(String[] args) throws Exception {
        int calls = 300;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--calls" -> calls = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: ModelsBench [--calls N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        var data = Files.createTempDirectory(dir, "aios-models-bench");
        try (var provider = ScriptedModelServer.start()) {
            for (int i = 0; i < 3 * calls + 100; i++) {
                provider.enqueue(Reply.text("Hello!"));
            }
            var bare = bare(provider, calls);
            var settings = ModelSettings.none()
                    .withProvider(new Provider(
                            "openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-bench", Duration.ofSeconds(10)))
                    .withClass("small", new Route("openai", "gpt-4o-mini"));
            var playbook = Files.createDirectories(data.resolve("playbooks"));
            Files.writeString(playbook.resolve("burst.yaml"), """
                    name: burst
                    trigger: burst.requested
                    steps:
                      - id: burst
                        agent: burst
                        input: { calls: event.data.calls, same: event.data.same }
                    """);
            try (var kernel = Kernel.builder()
                    .dataDirectory(data.resolve("data"))
                    .agent(new BurstAgent())
                    .extension(new ModelsExtension(settings))
                    .playbookDirectory(playbook)
                    .build()) {
                kernel.start();
                burst(kernel, 20, false); // warm up
                var uncached = burst(kernel, calls, false);
                var cached = burst(kernel, calls, true);
                print(calls, bare, uncached, cached);
            }
        }
    }

    private static Histogram bare(ScriptedModelServer provider, int calls) {
        var model = OpenAiChatModel.builder()
                .baseUrl(provider.openAiBaseUrl())
                .apiKey("sk-bench")
                .modelName("gpt-4o-mini")
                .maxRetries(0)
                .build();
        var histogram = Percentiles.micros();
        for (int i = -20; i < calls; i++) {
            var request = ChatRequest.builder()
                    .messages(UserMessage.from("Say hello number " + i + "."))
                    .maxOutputTokens(ModelRequest.DEFAULT_MAX_OUTPUT_TOKENS)
                    .build();
            long started = System.nanoTime();
            model.chat(request);
            if (i >= 0) {
                histogram.recordValue((System.nanoTime() - started) / 1000);
            }
        }
        return histogram;
    }

    /** One step's calls: each call's time inside the step, and the writer's commits a call. */
    record Measured(Histogram times, double commitsPerCall) {}

    private static Measured burst(Kernel kernel, int calls, boolean same) {
        long commits = kernel.overview().commits();
        var data = JsonNodeFactory.instance.objectNode().put("calls", calls).put("same", same);
        String run = kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "burst.requested",
                        "bench",
                        "bench",
                        java.time.Instant.now(),
                        data,
                        "",
                        ""))
                .started()
                .getFirst();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (kernel.run(run).status() != RunStatus.COMPLETED) {
            if (System.nanoTime() > deadline || kernel.run(run).status() == RunStatus.NEEDS_ATTENTION) {
                throw new IllegalStateException("the burst did not complete: " + kernel.run(run));
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        var histogram = Percentiles.micros();
        TIMINGS.get(run).forEach(nanos -> histogram.recordValue(nanos / 1000));
        // The run's own commits (its event, its step's lease and outcome) are spread over its calls.
        return new Measured(histogram, (kernel.overview().commits() - commits) / (double) calls);
    }

    private static void print(int calls, Histogram bare, Measured uncached, Measured cached) {
        System.out.println("## Models: gateway overhead per call");
        System.out.println();
        System.out.println(String.format(
                Locale.ROOT,
                "%d calls each, one at a time, to the scripted OpenAI-compatible provider on loopback (%s, %d cores).",
                calls,
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors()));
        System.out.println();
        System.out.println("| path | p50 µs | p99 µs | mean µs | mean / bare | commits a call |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        row("bare LangChain4j `chat()`", bare, bare, "");
        row(
                "gateway, cache miss (call + receipt + ledger + cache write)",
                uncached.times(),
                bare,
                String.format(Locale.ROOT, "%.2f", uncached.commitsPerCall()));
        row(
                "gateway, cache hit (no provider call)",
                cached.times(),
                bare,
                String.format(Locale.ROOT, "%.2f", cached.commitsPerCall()));
    }

    private static void row(String name, Histogram h, Histogram bare, String commits) {
        System.out.println(String.format(
                Locale.ROOT,
                "| %s | %d | %d | %.0f | %.1f× | %s |",
                name,
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99),
                h.getMean(),
                h.getMean() / bare.getMean(),
                commits));
    }
}
