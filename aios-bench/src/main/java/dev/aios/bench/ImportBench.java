package dev.aios.bench;

import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.internal.InProcessEmbedder;
import dev.aios.memory.internal.Vectors;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.http.MemoryRoutes;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * Bulk import against one item at a time, in one process on the real server: the same notes stored
 * through {@code POST /api/memory/batch} (500 a request) and through {@code POST /api/memory} (one a
 * request, one after the other, as a script would), each into a fresh data directory, alternating;
 * timed until the last answer (stored, found by words) and until the last item is embedded (found by
 * meaning). Before that, the in-process embedding runner against LangChain4j's own runner of the
 * same model on the same texts.
 *
 * <pre>
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.ImportBench \
 *     [--items 2000] [--rounds 2] [--dir DIR]
 * </pre>
 */
public final class ImportBench {
    private ImportBench() {}

    public static void main(String[] args) throws Exception {
        int items = 2000;
        int rounds = 2;
        Path base = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> base = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", load: " + Machine.loadNow());
        var random = new Random(1);
        var texts = new ArrayList<String>();
        for (int i = 0; i < items; i++) {
            texts.add(MemoryBench.sentence(random) + " " + MemoryBench.sentence(random) + " #" + i);
        }
        var model = new InProcessEmbedder();
        runners(model, texts.subList(0, Math.min(512, texts.size())), rounds);
        for (int round = 0; round < rounds; round++) {
            for (boolean batched : round % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                ingest(model, base, texts, batched);
            }
        }
        model.close();
        System.out.println("load at the end: " + Machine.loadNow());
    }

    /** Texts/s of the in-process runner and of LangChain4j's runner, batches of 32 as memory sends them. */
    static void runners(InProcessEmbedder model, List<String> texts, int rounds) {
        var threads = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        var reference = new AllMiniLmL6V2QuantizedEmbeddingModel(threads);
        double agreement = 1;
        for (var text : texts.subList(0, 20)) {
            var ours = model.embed(List.of(text)).getFirst();
            var theirs = Vectors.unit(
                    reference.embed(TextSegment.from(text)).content().vector());
            agreement = Math.min(agreement, Vectors.dot(ours, theirs));
        }
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            for (int i = 0; i < texts.size(); i += 32) {
                model.embed(texts.subList(i, Math.min(texts.size(), i + 32)));
            }
            double ours = texts.size() / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            for (int i = 0; i < texts.size(); i += 32) {
                reference.embedAll(texts.subList(i, Math.min(texts.size(), i + 32)).stream()
                        .map(TextSegment::from)
                        .toList());
            }
            double theirs = texts.size() / ((System.nanoTime() - start) / 1e9);
            System.out.printf(
                    Locale.ROOT,
                    "embedding %d texts: in-process runner %.0f texts/s, LangChain4j runner %.0f texts/s (%.1fx);"
                            + " lowest cosine between their vectors %.6f; load %s%n",
                    texts.size(),
                    ours,
                    theirs,
                    ours / theirs,
                    agreement,
                    Machine.loadNow());
        }
        threads.shutdownNow();
    }

    static void ingest(InProcessEmbedder model, Path base, List<String> texts, boolean batched) throws Exception {
        var dir = Files.createTempDirectory(base, "aios-import");
        var memory = MemoryExtension.of(MemorySettings.defaults(), MemoryBench.keep(model));
        try (var kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .build()) {
            kernel.start();
            try (var server =
                    ApiServer.start(kernel, "127.0.0.1", 0, new MemoryRoutes(kernel, memory, InstantSource.system()))) {
                var url = "http://127.0.0.1:" + server.port();
                var token = Files.readString(dir.resolve("data").resolve(Kernel.ADMIN_TOKEN_FILE))
                        .strip();
                var http = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                long start = System.nanoTime();
                if (batched) {
                    for (int from = 0; from < texts.size(); from += 500) {
                        var body = Json.mapper().createObjectNode();
                        var list = body.putArray("items");
                        for (var text : texts.subList(from, Math.min(texts.size(), from + 500))) {
                            list.addObject()
                                    .put("kind", "note")
                                    .put("subject", "client")
                                    .put("text", text);
                        }
                        post(http, url + "/api/memory/batch", token, body.toString());
                    }
                } else {
                    for (var text : texts) {
                        var body = Json.mapper().createObjectNode();
                        body.put("kind", "note").put("subject", "client").put("text", text);
                        post(http, url + "/api/memory", token, body.toString());
                    }
                }
                long stored = System.nanoTime();
                if (!memory.settle(Duration.ofMinutes(30))) {
                    throw new IllegalStateException("embedding did not catch up in 30 minutes");
                }
                long embedded = System.nanoTime();
                System.out.printf(
                        Locale.ROOT,
                        "%-32s %d items: stored (found by words) %.1f s = %.0f items/s; embedded (found by"
                                + " meaning) %.1f s = %.0f items/s; load %s%n",
                        batched ? "POST /api/memory/batch (500)" : "POST /api/memory (one by one)",
                        texts.size(),
                        (stored - start) / 1e9,
                        texts.size() / ((stored - start) / 1e9),
                        (embedded - start) / 1e9,
                        texts.size() / ((embedded - start) / 1e9),
                        Machine.loadNow());
            }
        } finally {
            MemoryBench.deleteTree(dir);
        }
    }

    private static void post(HttpClient http, String url, String token, String json) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(json))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException(url + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
