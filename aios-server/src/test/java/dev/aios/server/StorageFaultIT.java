package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.testing.Http;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database stops taking writes while runs are in flight, then takes them again. The fault is
 * real: the server process's file-size limit is lowered with {@code prlimit --fsize} (util-linux),
 * so SQLite's next write past the limit fails with EFBIG, as on a full disk. (Taking write
 * permission away would not do: the tests run as root, which writes regardless.) The JVM ignores
 * the SIGXFSZ that comes with it, so the process lives on; its output reaches the log through the
 * test JVM, which the limit does not touch.
 */
class StorageFaultIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int IN_FLIGHT = 5;
    /** Smaller than any write SQLite makes to its files: the WAL's first frame already ends past it. */
    private static final String TINY_FILE_SIZE = "1024";

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void whileTheDatabaseCannotBeWrittenNothingIsAcknowledgedAndRunsInFlightCompleteAfterwards() throws Exception {
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("checkout.yaml"), PaymentAgents.CHECKOUT);
        try (var payments = Payments.start();
                var server = ServerProcess.builder(directory)
                        .environment(PaymentAgents.URL_VARIABLE, payments.url())
                        .arguments("--playbooks", playbooks.toString(), "--no-examples")
                        .start()) {
            var http = server.http();
            payments.hold();
            var runIds = new ArrayList<String>();
            for (int i = 1; i <= IN_FLIGHT; i++) {
                runIds.add(started(http.post("/api/events", order("order-" + i)).expect(202)));
            }
            Poll.until(
                    "the charges of the " + IN_FLIGHT + " runs to reach the payments API",
                    payments::held,
                    held -> held == IN_FLIGHT,
                    DEADLINE,
                    () -> server.explain("server log"));

            limitFileSize(server, TINY_FILE_SIZE);
            payments.release();

            var health = Poll.until(
                    "GET /health to say the storage is failing",
                    () -> http.get("/health"),
                    answer -> answer.status() == 503,
                    DEADLINE,
                    () -> server.explain("server log"));
            assertThat(health.json().path("status").asText()).isEqualTo("degraded");
            assertThat(health.json().path("storage").asText()).contains("could not write to the database");

            var refused = http.post("/api/events", order("order-during-fault")).expect(503);
            assertThat(refused.json().path("type").asText()).isEqualTo("/problems/storage");
            assertThat(refused.json().path("detail").asText())
                    .contains("could not write to the database")
                    .contains("nothing of this change was recorded");
            assertThat(http.get("/api/runs").expect(200).json())
                    .as("runs can still be read while writes fail")
                    .hasSize(IN_FLIGHT);

            limitFileSize(server, "unlimited");

            Poll.until(
                    "GET /health to be ok again",
                    () -> http.get("/health"),
                    answer -> answer.status() == 200,
                    DEADLINE,
                    () -> server.explain("server log"));
            var accepted = http.post("/api/events", order("order-during-fault")).expect(202);
            assertThat(accepted.json().path("duplicate").asBoolean())
                    .as("the event refused during the fault was not half-recorded")
                    .isFalse();
            runIds.add(started(accepted));
            for (var runId : runIds) {
                Poll.until(
                        "run " + runId + " to complete",
                        () -> http.get("/api/runs/" + runId).expect(200).json(),
                        run -> run.path("status").asText().equals("completed"),
                        DEADLINE,
                        () -> server.explain("server log"));
                Checkouts.assertPaidOnce(http, payments, runId);
            }
            assertThat(payments.applied()).hasSize(runIds.size() * Checkouts.STEPS.size());
            assertThat(payments.conflicts()).isZero();
            assertThat(health(http).path("status").asText()).isEqualTo("ok");
            // Steps that failed while the disk was full may raise a policy alert (a run of its own
            // that waits for the operator); every other run is one of the orders.
            var runs = http.get("/api/runs").expect(200).json();
            var others = new ArrayList<String>();
            runs.forEach(run -> {
                if (!run.path("playbook").asText().equals("checkout")) {
                    others.add(run.path("playbook").asText());
                }
            });
            assertThat(others).as(runs.toString()).allMatch(playbook -> playbook.equals("aios-policy-alert"));
            assertThat(runs.size() - others.size()).isEqualTo(runIds.size());

            assertThat(server.stop())
                    .as(server.explain("exit code after SIGTERM"))
                    .isIn(0, 143);
            Checkouts.assertVerifies(server, runs.size());
        }
    }

    private static String order(String id) {
        return "{\"id\": \"" + id + "\", \"type\": \"order.placed\", \"subject\": \"" + id
                + "\", \"data\": {\"amount\": 250}}";
    }

    private static String started(Http.Response accepted) {
        var started = accepted.json().path("started");
        assertThat(started).as(accepted.toString()).hasSize(1);
        return started.get(0).asText();
    }

    private static JsonNode health(Http http) {
        return http.get("/health").expect(200).json();
    }

    /** Sets the server process's soft file-size limit, e.g. to {@code 1024} bytes or {@code unlimited}. */
    private static void limitFileSize(ServerProcess server, String limit) throws IOException, InterruptedException {
        var command = List.of("prlimit", "--pid", Long.toString(server.pid()), "--fsize=" + limit + ":");
        Process prlimit;
        try {
            prlimit = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("this test needs prlimit (util-linux) to limit the server's file size", e);
        }
        var output = new String(prlimit.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(prlimit.waitFor())
                .as(String.join(" ", command) + ": " + output)
                .isZero();
    }
}
