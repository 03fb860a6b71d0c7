package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.cli.AiosCommand;
import dev.aios.server.internal.http.MemoryRoutes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Memory over real HTTP and the real command line, with the real embedding model and index. */
class MemoryApiTest {
    @TempDir
    Path dir;

    Kernel kernel;
    MemoryExtension memory;
    ApiServer server;
    String url;
    final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, JsonNode json) {}

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.defaults());
        try {
            Files.createDirectories(dir.resolve("playbooks"));
            Files.writeString(dir.resolve("playbooks/recall.yaml"), """
                    name: recall
                    trigger: question.asked
                    steps:
                      - id: look
                        agent: recall-notes
                        input: { question: event.data.question }
                    """);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
                .agent(new RecallNotes())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, "127.0.0.1", 0, new MemoryRoutes(kernel, memory, InstantSource.system()));
        url = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    Answer send(String method, String path, byte[] body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestAios.adminToken(dir.resolve("data")))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30))
                .build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(
                response.statusCode(),
                response.body().isEmpty()
                        ? Json.mapper().missingNode()
                        : Json.mapper().readTree(response.body()));
    }

    Answer get(String path) throws Exception {
        return send("GET", path, null);
    }

    Answer post(String path, String json) throws Exception {
        return send("POST", path, json.getBytes(StandardCharsets.UTF_8));
    }

    static String q(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void storeSearchExplainAndForgetOverHttp() throws Exception {
        var stored = post("/api/memory", """
                {"kind": "note", "subject": "acme", "text": "Acme wants a playful mascot for their cereal brand.",
                 "metadata": {"source": "call"}}""");
        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.json().path("kind").asText()).isEqualTo("note");
        post("/api/memory", "{\"kind\": \"email\", \"subject\": \"bolt\", \"text\": \"Bolt's invoice is overdue.\"}");
        memory.settle(Duration.ofSeconds(30));

        var found = get("/api/memory/search?q=" + q("cartoon character for breakfast food") + "&k=2");

        assertThat(found.status()).isEqualTo(200);
        var best = found.json().path("items").get(0);
        assertThat(best.path("id").asText()).isEqualTo(stored.json().path("id").asText());
        assertThat(best.path("metadata").path("source").asText()).isEqualTo("call");
        assertThat(best.path("score").asDouble()).isPositive();
        assertThat(best.path("why").path("explanation").asText()).contains("meaning rank 1");
        assertThat(get("/api/memory/search?q=invoice&subject=bolt&kind=email")
                        .json()
                        .path("items"))
                .hasSize(1);
        var explained = get("/api/memory/search?q=" + q("Bolt's overdue invoices") + "&explain=true")
                .json();
        assertThat(explained.path("plan").path("stems").toString()).contains("bolt", "overdu", "invoic");
        assertThat(explained.path("plan").path("meaningWeight").asDouble()).isPositive();
        var why = explained.path("items").get(0).path("why");
        assertThat(why.path("textRank").asInt()).isEqualTo(1);
        assertThat(why.path("textScore").asDouble()).isPositive();
        assertThat(why.path("similarity").asDouble()).isBetween(0.2, 1.0);
        assertThat(why.path("text").asDouble() + why.path("meaning").asDouble())
                .isCloseTo(why.path("relevance").asDouble(), org.assertj.core.data.Offset.offset(0.001));
        assertThat(why.path("adjustment").asDouble()).isBetween(0.9, 1.05);
        assertThat(get("/api/memory/search?q=invoice").json().has("plan")).isFalse();

        var stats = get("/api/memory/stats").json();
        assertThat(stats.path("tiers").path("SEMANTIC").path("items").asLong()).isEqualTo(2);
        assertThat(stats.path("embedding").path("model").asText()).isEqualTo("in-process/all-minilm-l6-v2-q");

        var forgotten = send("DELETE", "/api/memory/subjects/acme", null);
        assertThat(forgotten.status()).isEqualTo(200);
        assertThat(forgotten.json().path("memoryItems").asLong()).isEqualTo(1);
        assertThat(forgotten.json().path("keysDestroyed").asInt()).isEqualTo(1);
        assertThat(get("/api/memory/search?subject=acme").json().path("items")).isEmpty();
        assertThat(get("/api/memory/search?q=" + q("playful mascot cereal") + "&k=100")
                        .json()
                        .path("items"))
                .allSatisfy(item -> assertThat(item.path("subject").asText()).isNotEqualTo("acme"));
    }

    @Test
    void knowledgeRecordsKeepEveryVersion() throws Exception {
        var put =
                "{\"id\": \"customer/acme\", \"kind\": \"customer\", \"subject\": \"acme\", \"content\": {\"plan\": \"%s\"}}";
        assertThat(send("PUT", "/api/memory/knowledge", put.formatted("starter").getBytes(StandardCharsets.UTF_8))
                        .json()
                        .path("version")
                        .asInt())
                .isEqualTo(1);
        send("PUT", "/api/memory/knowledge", put.formatted("standard").getBytes(StandardCharsets.UTF_8));

        assertThat(get("/api/memory/knowledge?id=customer/acme")
                        .json()
                        .path("content")
                        .path("plan")
                        .asText())
                .isEqualTo("standard");
        assertThat(get("/api/memory/knowledge?id=customer/acme&version=1")
                        .json()
                        .path("content")
                        .path("plan")
                        .asText())
                .isEqualTo("starter");
        assertThat(get("/api/memory/knowledge/history?id=customer/acme").json()).hasSize(2);
        assertThat(get("/api/memory/knowledge?id=customer/nobody").status()).isEqualTo(404);
    }

    @Test
    void badInputIsAnsweredClearlyAndTheServerGoesOn() throws Exception {
        assertThat(get("/api/memory/search").json().path("detail").asText()).contains("give words to search for");
        assertThat(get("/api/memory/search?q=x&k=0").json().path("detail").asText())
                .contains("between 1 and 100");
        assertThat(get("/api/memory/search?q=x&k=1000000").status()).isEqualTo(400);
        assertThat(get("/api/memory/search?q=x&kind=gossip")
                        .json()
                        .path("detail")
                        .asText())
                .contains("'gossip' is not a kind of memory");
        assertThat(get("/api/memory/search?q=x&from=yesterday")
                        .json()
                        .path("detail")
                        .asText())
                .contains("a time such as");
        assertThat(get("/api/memory/search?q=" + q("anything") + "&subject=unknown")
                        .json()
                        .path("items"))
                .isEmpty();
        var notUtf8 = new byte[] {'{', '"', 'k', 'i', 'n', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(send("POST", "/api/memory", notUtf8).status()).isEqualTo(400);
        assertThat(post("/api/memory", "{\"kind\": \"journal\", \"text\": \"x\"}")
                        .json()
                        .path("detail")
                        .asText())
                .contains("note, email, document or output");
        var big = "{\"kind\": \"document\", \"text\": \"" + "a".repeat(2_000_000) + "\"}";
        assertThat(post("/api/memory", big).status()).isEqualTo(413);
        assertThat(get("/api/memory/stats").status()).isEqualTo(200);
        assertThat(memory.stats().tiers().values())
                .allSatisfy(t -> assertThat(t.items()).isZero());
    }

    @Test
    void aPinThatIsNotTrueOrFalseAndOtherTextUnderAnIdInUseAreRefused() throws Exception {
        var pinned = post("/api/memory", "{\"kind\": \"note\", \"text\": \"Keep forever\", \"pinned\": \"yes\"}");
        assertThat(pinned.status()).isEqualTo(400);
        assertThat(pinned.json().path("detail").asText()).contains("field 'pinned' must be true or false");

        var first = post("/api/memory", "{\"id\": \"n-1\", \"kind\": \"note\", \"text\": \"Acme pays late\"}");
        assertThat(first.status()).isEqualTo(201);
        var same = post("/api/memory", "{\"id\": \"n-1\", \"kind\": \"note\", \"text\": \"Acme pays late\"}");
        assertThat(same.status()).isEqualTo(201);
        assertThat(same.json().path("id").asText()).isEqualTo("n-1");
        var other = post("/api/memory", "{\"id\": \"n-1\", \"kind\": \"note\", \"text\": \"Acme pays early\"}");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().path("detail").asText()).contains("already exists with other content");
    }

    @Test
    void theCommandLineAddsSearchesShowsStatsAndForgets() throws Exception {
        var file = dir.resolve("brief.txt");
        Files.writeString(file, "Brief: Acme's spring campaign needs three posters in pastel colours.");
        assertThat(cli("memory", "add", "--file", file.toString(), "--kind", "document", "--subject", "acme"))
                .startsWith("remembered m-")
                .contains("(document, about acme, 1 chunk)");
        Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertThat(cli("memory", "add", "--file", dir.resolve("latin1.txt").toString()))
                .contains("is not UTF-8 text");

        var search = cli("memory", "search", "spring", "posters", "--subject", "acme");
        assertThat(search).contains("document", "acme", "three posters", "why: text rank 1");
        assertThat(cli("memory", "stats")).contains("semantic", "in-process/all-minilm-l6-v2-q", "retention   next at");
        assertThat(cli("memory", "forget", "acme"))
                .startsWith("forgot acme: 1 memory items and records, 1 keys destroyed");
        assertThat(cli("memory", "search", "--subject", "acme")).contains("nothing found");
    }

    /** An agent that answers from memory. */
    static final class RecallNotes implements dev.aios.api.Agent<RecallNotes.Question, RecallNotes.Notes> {
        record Question(String question) {}

        record Notes(java.util.List<String> notes) {}

        @Override
        public dev.aios.api.Contract<Question, Notes> contract() {
            return dev.aios.api.Contract.of("recall-notes", "1.0.0", Question.class, Notes.class);
        }

        @Override
        public Notes run(Question input, dev.aios.api.AgentContext context) {
            var recall = context.memory().orElseThrow().recall(input.question(), 3);
            return new Notes(
                    recall.items().stream().map(dev.aios.api.MemoryHit::text).toList());
        }
    }

    @Test
    void runShowListsTheMemoryAStepRecalled() throws Exception {
        var note = post("/api/memory", "{\"kind\": \"note\", \"text\": \"The studio closes on Fridays.\"}");
        var accepted = post(
                "/api/events",
                "{\"type\": \"question.asked\", \"subject\": \"acme\","
                        + " \"data\": {\"question\": \"when does the studio close\"}}");
        var runId = accepted.json().path("started").get(0).asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!get("/api/runs/" + runId).json().path("status").asText().equals("completed")) {
            assertThat(System.nanoTime()).as("run completes").isLessThan(deadline);
            Thread.sleep(20);
        }

        // The question's own event is remembered too and may be recalled first: the note is on the line.
        assertThat(cli("run", "show", runId).lines())
                .filteredOn(line -> line.contains("provenance recall 'when does the studio close' → "))
                .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains(note.json().path("id").asText() + "@1 ");
    }

    String cli(String... args) {
        var out = new StringWriter();
        var command = AiosCommand.commandLine(
                Map.of("AIOS_URL", url, "AIOS_TOKEN", TestAios.adminToken(dir.resolve("data"))));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(out));
        command.execute(args);
        return out.toString();
    }
}
