package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.cli.AiosCommand;
import dev.aios.server.internal.http.MemoryRoutes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bulk import: {@code aios memory import} and {@code POST /api/memory/batch}, over real HTTP. */
class MemoryImportTest {
    @TempDir
    Path dir;

    Kernel kernel;
    MemoryExtension memory;
    ApiServer server;
    String url;

    record Result(int exitCode, String out, String err) {}

    record Answer(int status, JsonNode json) {}

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.defaults());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(memory)
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

    @Test
    void importingADirectoryStoresEveryItemOnceAndAgainStoresNothingNew() throws Exception {
        var notes = Files.createDirectories(dir.resolve("notes/2026"));
        Files.writeString(notes.resolve("calls.jsonl"), """
                {"text": "Acme asked for a cereal mascot.", "subject": "acme"}

                {"kind": "email", "text": "Bolt paid invoice 17.", "subject": "bolt", "metadata": {"from": "ap@bolt"}}
                {"text": "Kickoff with Corvid moved to Tuesday.", "id": "corvid-kickoff", "importance": 0.9}
                """);
        Files.writeString(dir.resolve("notes/brief.md"), "# Brief\n\nThe florist wants a spring poster series.\n");
        Files.writeString(dir.resolve("notes/ideas.txt"), "Try risograph printing for the bakery menus.");
        Files.write(dir.resolve("notes/logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});

        var first = cli("memory", "import", dir.resolve("notes").toString(), "--subject", "studio");

        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("imported 5 items from 3 files", "5 new, 0 already there");
        assertThat(hits("cereal mascot")).containsExactly("acme");
        assertThat(hits("risograph")).containsExactly("studio");
        var poster = memory.memory().recall(MemoryQuery.of("poster")).items().getFirst();
        assertThat(poster.kind()).isEqualTo(MemoryKind.DOCUMENT);
        assertThat(poster.metadata().path("source").asText()).isEqualTo("brief.md");
        assertThat(memory.memory()
                        .recall(MemoryQuery.of("kickoff"))
                        .items()
                        .getFirst()
                        .id())
                .isEqualTo("corvid-kickoff");

        var again = cli("memory", "import", dir.resolve("notes").toString(), "--subject", "studio");

        assertThat(again.out()).contains("imported 5 items from 3 files", "0 new, 5 already there");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isEqualTo(5);
    }

    @Test
    void badLinesAreListedWithTheirLineNumbersAndNothingIsStoredUnlessAskedTo() throws Exception {
        var file = dir.resolve("items.jsonl");
        Files.writeString(file, """
                {"text": "good one"}
                {"text": "broken
                {"text": "another good one"}
                {"kind": "memo", "text": "wrong kind"}
                ["not", "an", "object"]
                {"text": "unknown field", "colour": "red"}
                """);

        var refused = cli("memory", "import", file.toString());

        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err())
                .contains(file + ":2: not valid JSON")
                .contains(file + ":4: 'memo' is not a kind of memory")
                .contains(file + ":5: not a JSON object")
                .contains(file + ":6: unknown field 'colour'")
                .contains("4 items are bad (listed above); nothing was imported")
                .doesNotContain(file + ":1:", file + ":3:");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isZero();

        var skipping = cli("memory", "import", file.toString(), "--skip-bad");

        assertThat(skipping.exitCode()).isZero();
        assertThat(skipping.out()).contains("imported 2 items from 1 file", "2 new", "4 bad skipped");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isEqualTo(2);
    }

    @Test
    void aBatchIsStoredWholeOrRefusedWholeNamingEveryBadItem() throws Exception {
        var refused = post("""
                {"items": [
                  {"kind": "note", "text": "fine"},
                  {"kind": "note"},
                  {"kind": "note", "text": "also fine", "pinned": "yes"}
                ]}""");

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("detail").asText())
                .contains("2 of 3 items are refused; nothing was stored")
                .contains("items[1]: field 'text' is required")
                .contains("items[2]: field 'pinned' must be true or false");
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isZero();

        var batch = """
                {"items": [
                  {"kind": "note", "subject": "acme", "text": "Acme likes teal.", "id": "acme-teal"},
                  {"kind": "email", "subject": "acme", "text": "Acme's invoice is due Friday."}
                ]}""";
        var stored = post(batch);

        assertThat(stored.status()).isEqualTo(201);
        assertThat(stored.json().path("stored").asInt()).isEqualTo(2);
        assertThat(stored.json().path("items").get(0).path("id").asText()).isEqualTo("acme-teal");
        assertThat(hits("teal")).containsExactly("acme");

        var conflicting = post("""
                {"items": [
                  {"kind": "note", "text": "new"},
                  {"kind": "note", "subject": "acme", "text": "Acme likes orange.", "id": "acme-teal"}
                ]}""");

        assertThat(conflicting.status()).isEqualTo(409);
        assertThat(memory.stats().tiers().get(MemoryKind.Tier.SEMANTIC).items()).isEqualTo(2);
        var tooMany = new StringBuilder("{\"items\": [");
        for (int i = 0; i <= MemoryRoutes.MAX_BATCH; i++) {
            tooMany.append(i == 0 ? "" : ",")
                    .append("{\"kind\": \"note\", \"text\": \"n")
                    .append(i)
                    .append("\"}");
        }
        assertThat(post(tooMany.append("]}").toString()).json().path("detail").asText())
                .contains("a batch holds at most 1000 items");
    }

    private java.util.List<String> hits(String words) {
        return memory.memory().recall(MemoryQuery.of(words)).items().stream()
                .map(hit -> hit.subject())
                .toList();
    }

    private Answer post(String json) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url + "/api/memory/batch"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + TestAios.adminToken(dir.resolve("data")))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .timeout(Duration.ofSeconds(60))
                .build();
        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.mapper().readTree(response.body()));
    }

    private Result cli(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var command = AiosCommand.commandLine(
                Map.of("AIOS_URL", url, "AIOS_TOKEN", TestAios.adminToken(dir.resolve("data"))));
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(err));
        int exit = command.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
