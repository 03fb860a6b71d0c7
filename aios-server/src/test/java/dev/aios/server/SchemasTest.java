package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.aios.server.internal.http.DocsRoutes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas editors use for playbooks and {@code aios.yaml}: every file of the kind in the
 * repository passes, and a misspelt key is caught with its name.
 */
class SchemasTest {
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    private static Schema schema(String name) {
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(DocsRoutes.schema(name));
    }

    private static JsonNode yaml(String text) throws IOException {
        return new YAMLMapper().readTree(text);
    }

    private static List<Path> files(String glob) throws IOException {
        var matcher = REPOSITORY.getFileSystem().getPathMatcher("glob:" + glob);
        try (Stream<Path> walk = Files.walk(REPOSITORY.resolve("aios-examples"))) {
            return walk.filter(file -> matcher.matches(REPOSITORY.relativize(file)))
                    .filter(file -> !file.toString().contains("/target/"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void everyPlaybookInTheRepositoryPasses() throws IOException {
        var playbooks = files("aios-examples/**/playbooks/*.yaml");
        assertThat(playbooks).isNotEmpty();
        var schema = schema("playbook.json");
        for (var file : playbooks) {
            assertThat(schema.validate(yaml(Files.readString(file))))
                    .as(file.toString())
                    .isEmpty();
        }
        assertThat(schema.validate(yaml(MetricsTest.PLAYBOOK))).isEmpty();
    }

    @Test
    void aMisspeltStepKeyOrAStepWithoutKindIsCaught() throws IOException {
        var schema = schema("playbook.json");
        var misspelt = schema.validate(yaml("""
                name: notes
                trigger: note.requested
                steps:
                  - id: write
                    agent: write-note
                    inptu: { client: event.subject }
                """));
        assertThat(misspelt.toString()).contains("inptu");
        assertThat(schema.validate(yaml("""
                        name: notes
                        trigger: note.requested
                        steps:
                          - id: nothing
                        """))).isNotEmpty();
    }

    @Test
    void settingsFilesPassAndAnUnknownSectionIsCaught() throws IOException {
        var schema = schema("aios-config.json");
        for (var file : files("aios-examples/**/aios.yaml")) {
            assertThat(schema.validate(yaml(Files.readString(file))))
                    .as(file.toString())
                    .isEmpty();
        }
        assertThat(schema.validate(yaml("""
                        connectors:
                          payments:
                            breaker: { failureRate: 50, window: 10, minimumCalls: 5, openFor: 30s }
                            rateLimit: { calls: 10, per: 1s }
                        backup: { every: 1d, to: backups, keep: 7 }
                        """))).isEmpty();
        assertThat(schema.validate(yaml("backups: { to: b }\n")).toString()).contains("backups");
        assertThat(schema.validate(yaml("backup: { every: 1d }\n")).toString()).contains("to");
    }
}
