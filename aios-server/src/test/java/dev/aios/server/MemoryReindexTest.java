package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.http.MemoryRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-indexing memory on purpose, over real HTTP: {@code aios memory reindex} shows progress and the
 * index answers after; {@code GET /health} shows the rebuild, then the ready index; searches meanwhile
 * are refused with a 503 that says why.
 */
class MemoryReindexTest {
    /** Enough that the rebuild takes a moment (it runs in the background, page by page). */
    private static final int ITEMS = 5_000;

    @TempDir
    Path dir;

    Kernel kernel;
    MemoryExtension memory;
    ApiServer server;
    String url;

    record Answer(int status, HttpResponse<String> response, JsonNode json) {}

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.defaults().withEmbeddings(new MemorySettings.Embeddings.None()));
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new MemoryRoutes(kernel, memory, InstantSource.system()));
        url = "http://127.0.0.1:" + server.port();
        var items = new ArrayList<Remember>();
        for (int n = 0; n < ITEMS; n++) {
            items.add(Remember.of(
                    MemoryKind.NOTE,
                    "client-" + n % 40,
                    "Call " + n + " with client " + n % 40 + " about the poster series, batch " + n + "."));
            if (items.size() == 1_000) {
                memory.rememberAll(List.copyOf(items));
                items.clear();
            }
        }
        memory.memory()
                .remember(Remember.of(MemoryKind.NOTE, "acme", "Acme wants the mascot drawn in risograph teal."));
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    @Test
    void theReindexCommandShowsProgressAndTheIndexAnswersAfter() throws Exception {
        var reindexed = cli("memory", "reindex");

        assertThat(reindexed.exitCode()).as(reindexed.err()).isZero();
        assertThat(reindexed.out()).isEqualTo("memory index rebuilt: " + (ITEMS + 1) + " chunks\n");
        assertThat(reindexed.err())
                .containsPattern("reindex: \\d+ of " + (ITEMS + 1) + " \\(\\d+%\\), \\d+/s")
                .contains("reindex: " + (ITEMS + 1) + " of " + (ITEMS + 1) + " (100%)");
        var found = get("/api/memory/search?q=risograph%20mascot");
        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().path("items").get(0).path("subject").asText()).isEqualTo("acme");
        var index = get("/health").json().path("memory").path("index");
        assertThat(index.path("state").asText()).isEqualTo("ready");
        assertThat(index.path("chunks").asLong()).isEqualTo(ITEMS + 1);
    }

    @Test
    void healthShowsTheRebuildThenTheReadyIndexAndSearchesMeanwhileAreRefusedSayingWhy() throws Exception {
        var asked = post("/api/memory/reindex", "");
        var refused = get("/api/memory/search?q=risograph");

        assertThat(asked.status()).isEqualTo(202);
        assertThat(asked.json().path("state").asText()).isEqualTo("rebuilding");
        assertThat(asked.json().path("reason").asText()).isEqualTo("asked for");
        assertThat(asked.json().path("total").asLong()).isEqualTo(ITEMS + 1);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.response().headers().firstValue("Retry-After")).isPresent();
        assertThat(refused.json().path("detail").asText())
                .contains("memory's index is being rebuilt (asked for)")
                .contains("GET /health shows how far it got");
        var states = new ArrayList<String>();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode index;
        do {
            index = get("/health").json().path("memory").path("index");
            states.add(index.path("state").asText());
            if (index.path("state").asText().equals("rebuilding")) {
                assertThat(index.path("done").asLong())
                        .isBetween(0L, index.path("total").asLong());
                assertThat(index.path("reason").asText()).isEqualTo("asked for");
            }
            Thread.sleep(20);
        } while (!index.path("state").asText().equals("ready") && System.nanoTime() < deadline);
        assertThat(states.getFirst()).isEqualTo("rebuilding");
        assertThat(states.getLast()).isEqualTo("ready");
        assertThat(index.path("chunks").asLong()).isEqualTo(ITEMS + 1);
        assertThat(get("/api/memory/search?q=risograph").status()).isEqualTo(200);
    }

    @Test
    void aReindexWithABodyOrAnArgumentIsRefusedAndStartsNothing() throws Exception {
        var refused = post("/api/memory/reindex", "{\"force\": true}");
        var misspelt = cli("memory", "reindex", "now");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("detail").asText())
                .contains("unknown field 'force'; this request takes no fields");
        assertThat(misspelt.exitCode()).isEqualTo(2);
        assertThat(misspelt.err()).contains("Unmatched argument");
        assertThat(memory.indexState().ready()).isTrue();
    }

    private Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    private Answer post(String path, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Answer send(HttpRequest.Builder request) throws Exception {
        var response = HttpClient.newHttpClient()
                .send(
                        request.header("Authorization", "Bearer " + TestAios.adminToken(dir.resolve("data")))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        var body = response.body();
        return new Answer(
                response.statusCode(),
                response,
                body.isBlank()
                        ? Json.mapper().createObjectNode()
                        : Json.mapper().readTree(body));
    }

    private TestAios.CliResult cli(String... args) {
        return TestAios.cli(Map.of("AIOS_URL", url, "AIOS_TOKEN", TestAios.adminToken(dir.resolve("data"))), args);
    }
}
