package dev.aios.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP client against real MCP servers: the reference server from the npm registry
 * ({@code @modelcontextprotocol/server-everything}, fetched by {@code npx}) and small servers that
 * die mid-call or answer garbage. Skipped, saying why, where {@code npx} or {@code node} is missing.
 */
class McpClientTest {
    @TempDir
    Path dir;

    Kernel kernel;

    static boolean onPath(String program) {
        var path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.of(path.split(java.io.File.pathSeparator)).anyMatch(d -> Files.isExecutable(Path.of(d, program)));
    }

    void start(String mcp, String step) throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(
                dir.resolve("playbooks/p.yaml"), """
                name: ask-tool
                trigger: { event: question.asked }
                steps:
                  - id: ask
                    agent: mcp
                    retry: { attempts: 2, backoff: 10ms }
                    input:
                %s
                """.formatted(step.indent(6).stripTrailing()));
        var settings = ConnectorSettings.read(new YAMLMapper().readTree(mcp)::get);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .extension(new ConnectorsExtension(settings, name -> Optional.empty()))
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    RunView ask(String id) {
        var data = JsonNodeFactory.instance.objectNode().put("question", "hello there");
        var runId = kernel.send(new Event(id, "question.asked", "acme", "test", Instant.now(), data, "", ""))
                .started()
                .getFirst();
        return Eventually.await(
                () -> kernel.run(runId),
                run -> run.status().isFinal() || !run.tasks().isEmpty(),
                Duration.ofMinutes(4));
    }

    static final String EVERYTHING = """
            mcp:
              everything:
                command: [npx, -y, "@modelcontextprotocol/server-everything"]
                timeout: 3m
            """;

    @Test
    void aToolOfTheReferenceServerIsCalledOnceAsAJournaledEffect() throws Exception {
        assumeThat(onPath("npx"))
                .as("npx is needed to run @modelcontextprotocol/server-everything")
                .isTrue();
        start(EVERYTHING, """
                server: "'everything'"
                tool: "'echo'"
                arguments: "{'message': event.data.question}"
                """);
        var run = ask("q-1");

        assertThat(run.status()).as(String.valueOf(run.steps())).isEqualTo(RunStatus.COMPLETED);
        var step = run.steps().getFirst();
        assertThat(step.output().path("text").asText()).isEqualTo("Echo: hello there");
        assertThat(step.receipts()).singleElement().satisfies(receipt -> assertThat(receipt.name())
                .isEqualTo("mcp/everything:echo"));
    }

    @Test
    void argumentsThatDoNotFitTheToolsSchemaAndUnknownToolsAreRefusedWithoutACall() throws Exception {
        assumeThat(onPath("npx"))
                .as("npx is needed to run @modelcontextprotocol/server-everything")
                .isTrue();
        start(EVERYTHING, """
                server: "'everything'"
                tool: "'get-sum'"
                arguments: "{'a': 'two', 'b': 3}"
                """);
        var run = ask("q-2");

        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        var step = run.steps().getFirst();
        assertThat(step.error().orElseThrow())
                .contains("do not match the input schema of tool get-sum of MCP server 'everything'");
        assertThat(step.attempts()).as("not retried: trying again cannot help").hasSize(1);
        assertThat(step.receipts()).isEmpty();
    }

    @Test
    void aServerThatDiesMidCallIsStartedAfreshAndTheStepEndsInTheInboxWithTheReason() throws Exception {
        assumeThat(onPath("node"))
                .as("node is needed for the misbehaving MCP server")
                .isTrue();
        start(broken("dies"), """
                server: "'broken'"
                tool: "'lookup'"
                arguments: "{'q': 'x'}"
                """);
        var run = ask("q-3");

        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        var step = run.steps().getFirst();
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.error().orElseThrow()).contains("MCP server 'broken' failed during lookup");
        assertThat(run.tasks()).singleElement().satisfies(task -> assertThat(task.options())
                .contains(dev.aios.kernel.TaskOption.RETRY));
    }

    @Test
    void aServerThatAnswersGarbageEndsInTheInboxWithAClearError() throws Exception {
        assumeThat(onPath("node"))
                .as("node is needed for the misbehaving MCP server")
                .isTrue();
        start(broken("garbage"), """
                server: "'broken'"
                tool: "'lookup'"
                arguments: "{'q': 'x'}"
                """);
        var run = ask("q-4");

        assertThat(run.status()).isEqualTo(RunStatus.NEEDS_ATTENTION);
        assertThat(run.steps().getFirst().error().orElseThrow()).contains("MCP server 'broken' failed during lookup");
    }

    @Test
    void anUndeclaredServerIsAClearErrorNamingTheDeclaredOnes() throws Exception {
        assumeThat(onPath("node"))
                .as("node is needed for the misbehaving MCP server")
                .isTrue();
        start(broken("dies"), """
                server: "'crm'"
                tool: "'lookup'"
                """);
        var run = ask("q-5");

        assertThat(run.steps().getFirst().error().orElseThrow())
                .contains("no MCP server 'crm' is declared")
                .contains("declared: broken");
    }

    String broken(String mode) throws Exception {
        var script = dir.resolve("broken-server.js");
        try (var in = getClass().getResourceAsStream("/mcp/broken-server.js")) {
            Files.copy(in, script, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return """
                mcp:
                  broken:
                    command: [node, "%s", %s]
                    timeout: 3s
                """.formatted(script.toString().replace("\\", "/"), mode);
    }
}
