package dev.aios.server;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Kernel;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A real kernel on a SQLite file, served over real HTTP on a free port, with the echo playbook and
 * the reserve-then-ship playbook.
 */
final class TestAios implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(10);

    final Kernel kernel;
    final ApiServer server;
    final String url;
    /** The admin token the fresh data directory got, sent with every request. */
    final String token;

    private final HttpClient http = HttpClient.newHttpClient();
    private boolean closed;

    private TestAios(Kernel kernel, ApiServer server, String token) {
        this.kernel = kernel;
        this.server = server;
        this.url = "http://localhost:" + server.port();
        this.token = token;
    }

    static TestAios start(Path dataDirectory) {
        return start(dataDirectory, builder -> {}, ApiServer.REQUEST_TIMEOUT);
    }

    /** As {@link #start(Path)}, with more on the kernel and another write limit for requests. */
    static TestAios start(
            Path dataDirectory, java.util.function.Consumer<Kernel.Builder> more, Duration requestTimeout) {
        var builder = Kernel.builder()
                .dataDirectory(dataDirectory)
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .agent(new ShipPlaybook.Reserve())
                .agent(new ShipPlaybook.Release())
                .agent(new ShipPlaybook.Ship())
                .playbook(ShipPlaybook.playbook())
                .pollInterval(Duration.ofMillis(20));
        more.accept(builder);
        var kernel = builder.build();
        kernel.start();
        var server = ApiServer.builder(kernel).requestTimeout(requestTimeout).start();
        return new TestAios(kernel, server, adminToken(dataDirectory));
    }

    /** The admin token a data directory got on its first start. */
    static String adminToken(Path dataDirectory) {
        try {
            return java.nio.file.Files.readString(dataDirectory.resolve(Kernel.ADMIN_TOKEN_FILE))
                    .strip();
        } catch (IOException e) {
            throw new UncheckedIOException("no admin token in " + dataDirectory, e);
        }
    }

    /** An HTTP answer. */
    record Response(int status, String contentType, String body, String link) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (JsonProcessingException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    Response post(String path, String body) {
        return post(path, "application/json", body);
    }

    Response post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(url + path))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Sends a {@code test.ping} and returns the id of the run it started. */
    String ping(String text) {
        var answer = post(
                "/api/events", "{\"type\":\"test.ping\",\"subject\":\"acme\",\"data\":{\"text\":\"" + text + "\"}}");
        if (answer.status() != 202 || answer.json().path("started").size() != 1) {
            fail("the ping did not start one run: " + answer);
        }
        return answer.json().path("started").get(0).asText();
    }

    /**
     * Sends a {@code test.order} for {@code order}, which {@code ship} refuses, and returns the id of
     * the run it started once its {@code ship} step is parked in the inbox.
     */
    String parkedOrder(String order) {
        ShipPlaybook.FAILING.add(order);
        var answer = post(
                "/api/events",
                "{\"type\":\"test.order\",\"subject\":\"" + order + "\",\"data\":{\"order\":\"" + order + "\"}}");
        if (answer.status() != 202 || answer.json().path("started").size() != 1) {
            fail("the order did not start one run: " + answer);
        }
        var runId = answer.json().path("started").get(0).asText();
        eventually("/api/runs/" + runId, run -> run.path("status").asText().equals("needs-attention"));
        return runId;
    }

    /** GETs {@code path} until its JSON satisfies {@code condition}, failing after {@link #DEADLINE}. */
    JsonNode eventually(String path, Predicate<JsonNode> condition) {
        var deadline = Instant.now().plus(DEADLINE);
        Response last;
        do {
            last = get(path);
            if (last.status() == 200 && condition.test(last.json())) {
                return last.json();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        } while (Instant.now().isBefore(deadline));
        return fail("GET " + path + " did not reach the expected state within " + DEADLINE + "; last answer: " + last);
    }

    /** The first step of a run's view with this id, or a missing node. */
    static JsonNode step(JsonNode run, String id) {
        for (var step : run.path("steps")) {
            if (step.path("id").asText().equals(id)) {
                return step;
            }
        }
        return Json.mapper().missingNode();
    }

    /** The open task of run {@code runId}, once there is one. */
    JsonNode openTaskOf(String runId) {
        var tasks = eventually("/api/tasks", list -> taskOf(list, runId) != null);
        return taskOf(tasks, runId);
    }

    private static JsonNode taskOf(JsonNode tasks, String runId) {
        for (var task : tasks) {
            if (task.path("runId").asText().equals(runId)) {
                return task;
            }
        }
        return null;
    }

    /** What a CLI command printed and how it exited. */
    record CliResult(int exitCode, String out, String err) {}

    /** Runs {@code aios args…} in-process with {@code environment}. */
    static CliResult cli(Map<String, String> environment, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var commandLine = Main.commandLine(environment);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliResult(exitCode, out.toString(), err.toString());
    }

    /** Runs {@code aios args… --server URL} against this server, with its admin token. */
    CliResult cli(String... args) {
        var withServer = new String[args.length + 2];
        System.arraycopy(args, 0, withServer, 0, args.length);
        withServer[args.length] = "--server";
        withServer[args.length + 1] = url;
        return cli(Map.of("AIOS_TOKEN", token), withServer);
    }

    private Response send(HttpRequest.Builder request) {
        return sendAs(request, token);
    }

    /** Sends {@code request} with {@code bearer} as its token, or none when it is null. */
    Response sendAs(HttpRequest.Builder request, String bearer) {
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            var response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(),
                    response.headers().firstValue("Content-Type").orElse(""),
                    response.body(),
                    response.headers().firstValue("Link").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } finally {
            kernel.close();
        }
    }
}
