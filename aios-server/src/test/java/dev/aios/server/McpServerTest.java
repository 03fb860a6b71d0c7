package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.Scope;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aios mcp} as a real process speaking MCP on its standard input and output, as a desktop
 * assistant would start it, against a running aios API: tools that send events, list and answer
 * tasks and follow runs; garbage on the wire answered with an error, not a crash.
 */
class McpServerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Kernel kernel;
    ApiServer api;
    Process mcp;
    Writer toMcp;
    final BlockingQueue<JsonNode> fromMcp = new ArrayBlockingQueue<>(1000);
    int nextId = 1;

    @BeforeEach
    void start() throws Exception {
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        api = ApiServer.start(kernel, 0);
        var assistant = kernel.tokens()
                .create("assistant", EnumSet.of(Scope.INGEST, Scope.OPERATE), Optional.empty())
                .secret();
        startMcp(Optional.of(assistant));
    }

    /**
     * Starts {@code aios mcp} as a desktop assistant would, with {@code token} in {@code AIOS_TOKEN}
     * (or none), in a directory without a data directory, and initializes the session.
     */
    void startMcp(Optional<String> token) throws Exception {
        if (mcp != null) {
            mcp.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fromMcp.clear();
        }
        var java = ProcessHandle.current().info().command().orElse("java");
        var elsewhere = Files.createDirectories(dir.resolve("assistant"));
        var process = new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        ServerProcess.AIOS_MAIN,
                        "mcp",
                        "--server",
                        "http://127.0.0.1:" + api.port())
                .directory(elsewhere.toFile())
                .redirectError(dir.resolve("mcp.err").toFile());
        process.environment().remove("AIOS_DATA");
        process.environment().remove("AIOS_TOKEN");
        token.ifPresent(secret -> process.environment().put("AIOS_TOKEN", secret));
        mcp = process.start();
        toMcp = new OutputStreamWriter(mcp.getOutputStream(), StandardCharsets.UTF_8);
        var from = mcp.getInputStream();
        Thread.ofVirtual().start(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(from, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    fromMcp.add(JSON.readTree(line));
                }
            } catch (Exception e) {
                // the process ended
            }
        });
        var init = request("initialize", JSON.readTree("""
                {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}
                """));
        assertThat(init.path("result").path("serverInfo").path("name").asText()).isEqualTo("aios");
        notify("notifications/initialized");
    }

    @AfterEach
    void stop() throws Exception {
        if (mcp != null) {
            mcp.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        api.close();
        kernel.close();
    }

    void write(String line) throws Exception {
        toMcp.write(line + "\n");
        toMcp.flush();
    }

    void notify(String method) throws Exception {
        write(JSON.createObjectNode()
                .put("jsonrpc", "2.0")
                .put("method", method)
                .toString());
    }

    JsonNode request(String method, JsonNode params) throws Exception {
        int id = nextId++;
        var message =
                JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
        message.set("params", params);
        write(message.toString());
        return answer(id);
    }

    /** The id of answers to messages that had none or could not be read. */
    static final int NO_ID = -1;

    /** The answer to request {@code id}, or with {@link #NO_ID} the next error answer without an id. */
    JsonNode answer(int id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var message = fromMcp.poll(1, TimeUnit.SECONDS);
            boolean matches = id == NO_ID
                    ? message != null && message.path("id").isNull() && message.has("error")
                    : message != null && message.path("id").asInt(NO_ID) == id;
            if (matches) {
                return message;
            }
        }
        throw new AssertionError("no answer to request " + id + "; the process is "
                + (mcp.isAlive() ? "alive" : "gone") + "; its errors: "
                + Files.readString(dir.resolve("mcp.err")));
    }

    JsonNode call(String tool, String arguments) throws Exception {
        var params = JSON.createObjectNode().put("name", tool);
        params.set("arguments", JSON.readTree(arguments));
        return request("tools/call", params).path("result");
    }

    static JsonNode text(JsonNode result) throws Exception {
        return JSON.readTree(result.path("content").get(0).path("text").asText());
    }

    @Test
    void anAssistantSeesTheToolsAndResources() throws Exception {
        var tools =
                request("tools/list", JSON.createObjectNode()).path("result").path("tools");
        List<String> names = StreamSupport.stream(tools.spliterator(), false)
                .map(t -> t.path("name").asText())
                .toList();
        assertThat(names)
                .containsExactlyInAnyOrder("send_event", "list_tasks", "answer_task", "run_status", "search_memory");
        var resources = request("resources/list", JSON.createObjectNode())
                .path("result")
                .path("resources");
        assertThat(resources.findValuesAsText("uri")).contains("aios://playbooks", "aios://runs");
        var playbooks = request("resources/read", JSON.createObjectNode().put("uri", "aios://playbooks"));
        assertThat(playbooks.path("result").path("contents").get(0).path("text").asText())
                .contains(EchoPlaybook.NAME);
    }

    @Test
    void anAssistantSendsAnEventFollowsTheRunAndApprovesItsTask() throws Exception {
        var sent = call("send_event", """
                {"type": "test.ping", "id": "ping-1", "subject": "acme", "data": {"text": "hi from the assistant"}}
                """);
        assertThat(sent.path("isError").asBoolean()).isFalse();
        var runId = text(sent).path("started").get(0).asText();
        Poll.until(
                "a task of run " + runId,
                () -> kernel.run(runId),
                run -> !run.tasks().isEmpty(),
                Duration.ofSeconds(30));

        var tasks = text(call("list_tasks", "{}"));
        assertThat(tasks).hasSize(1);
        var taskId = tasks.get(0).path("id").asText();
        var answered = call("answer_task", """
                {"taskId": "%s", "answer": "approve", "comment": "looks right"}
                """.formatted(taskId));
        assertThat(answered.path("isError").asBoolean()).as(answered.toString()).isFalse();

        var run = Poll.until(
                "run " + runId + " to end",
                () -> kernel.run(runId),
                r -> r.status().isFinal(),
                Duration.ofSeconds(30));
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        var status = text(call("run_status", "{\"runId\": \"%s\"}".formatted(runId)));
        assertThat(status.path("status").asText()).isEqualTo("completed");
        assertThat(text(call("send_event", """
                        {"type": "test.ping", "id": "ping-1", "data": {"text": "again"}}
                        """)).path("duplicate").asBoolean())
                .as("the same id again starts nothing")
                .isTrue();
    }

    @Test
    void badInputIsAnErrorTheAssistantCanReadAndTheServerGoesOn() throws Exception {
        var unknownTask = call("answer_task", "{\"taskId\": \"t-nope\", \"answer\": \"approve\"}");
        assertThat(unknownTask.path("isError").asBoolean()).isTrue();
        assertThat(unknownTask.path("content").get(0).path("text").asText()).contains("t-nope");

        var badEvent = call("send_event", "{\"type\": \"Not A Type!\"}");
        assertThat(badEvent.path("isError").asBoolean()).isTrue();
        assertThat(badEvent.path("content").get(0).path("text").asText()).contains("lower-case");

        write("%%% not json at all");
        assertThat(answer(NO_ID).path("error").path("code").asInt())
                .as("a parse error")
                .isEqualTo(-32700);
        write("[1, 2, 3]");
        assertThat(answer(NO_ID).path("error").path("code").asInt())
                .as("an invalid request")
                .isEqualTo(-32600);
        write("{\"jsonrpc\": \"2.0\", \"id\": 900, \"method\": \"no/such/method\"}");
        assertThat(answer(900).path("error").path("code").asInt()).isEqualTo(-32601);
        var params = JSON.createObjectNode().put("name", "no_such_tool");
        params.putObject("arguments");
        assertThat(request("tools/call", params).toString()).containsIgnoringCase("no_such_tool");

        assertThat(mcp.isAlive()).isTrue();
        var tasks = call("list_tasks", "{}");
        assertThat(tasks.path("isError").asBoolean()).isFalse();
    }

    @Test
    void anAssistantMayDoWhatItsTokenAllowsAndNoMore() throws Exception {
        var reader = kernel.tokens()
                .create("reader", EnumSet.of(Scope.READ), Optional.empty())
                .secret();
        startMcp(Optional.of(reader));

        assertThat(call("list_tasks", "{}").path("isError").asBoolean()).isFalse();
        var refused = call("send_event", "{\"type\": \"test.ping\", \"id\": \"from-a-reader\"}");
        assertThat(refused.path("isError").asBoolean()).isTrue();
        assertThat(refused.path("content").get(0).path("text").asText())
                .contains("reader", "needs ingest", "nothing changed");
        assertThat(kernel.runs(dev.aios.kernel.RunQuery.all())).isEmpty();

        startMcp(Optional.empty());
        var anonymous = call("list_tasks", "{}");
        assertThat(anonymous.path("isError").asBoolean()).isTrue();
        assertThat(anonymous.path("content").get(0).path("text").asText()).contains("AIOS_TOKEN");
    }
}
