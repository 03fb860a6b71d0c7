package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.testing.Http;
import dev.aios.testing.ServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;

/** What runs of {@link PaymentAgents#CHECKOUT} must show after crashes and faults. */
final class Checkouts {
    /** The checkout's steps, in order; each makes one payment named after it. */
    static final List<String> STEPS = List.of("charge", "capture", "receipt");

    private Checkouts() {}

    /**
     * The run completed, its journal numbers entries from 1 without a gap, each step completed once
     * with one receipt under the step's key that holds what the payments API kept for that key,
     * and a full replay of its journal gives its stored state.
     */
    static void assertPaidOnce(Http http, Payments payments, String runId) {
        var run = http.get("/api/runs/" + runId).expect(200).json();
        assertThat(run.path("status").asText()).as(runId).isEqualTo("completed");

        var journal = http.get("/api/runs/" + runId + "/journal").expect(200).json();
        assertThat(journal)
                .extracting(entry -> entry.path("seq").asLong())
                .as("journal sequence numbers of " + runId)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, journal.size()).boxed().toList());
        for (var step : STEPS) {
            long completions = StreamSupport.stream(journal.spliterator(), false)
                    .filter(entry -> entry.path("type").asText().equals("StepCompleted")
                            && entry.path("data").path("step").asText().equals(step))
                    .count();
            assertThat(completions)
                    .as("completions of " + runId + " step " + step)
                    .isEqualTo(1);
        }

        assertThat(run.path("steps")).extracting(s -> s.path("id").asText()).containsExactlyElementsOf(STEPS);
        for (var step : run.path("steps")) {
            var key = key(runId, step.path("id").asText());
            assertThat(step.path("receipts"))
                    .as("receipts of " + runId + " step " + step.path("id").asText())
                    .singleElement()
                    .satisfies(receipt -> {
                        assertThat(receipt.path("key").asText()).isEqualTo(key);
                        assertThat(payments.applied()).containsKey(key);
                        assertThat(receipt.path("result"))
                                .isEqualTo(payments.applied().get(key).result());
                    });
        }
        var replay = http.post("/api/runs/" + runId + "/replay?full=true")
                .expect(200)
                .json();
        assertThat(replay.path("divergences")).as("replay of " + runId).isEmpty();
    }

    /**
     * The payments API saw exactly the keys {@code run:step:0:payments:<step>} of the runs, each
     * applied once; more requests than keys only as retries carrying the same key.
     */
    static void assertOneKeyPerStep(Payments payments, Iterable<JsonNode> runs, int count) {
        Set<String> expected = new HashSet<>();
        for (var run : runs) {
            for (var step : STEPS) {
                expected.add(key(run.path("id").asText(), step));
            }
        }
        var applied = payments.applied();
        assertThat(applied.keySet()).as("keys applied").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(payments.requests())
                .as("requests whose key is not one of a run's steps")
                .allSatisfy(request -> assertThat(expected).contains(request.key()));
        applied.forEach((key, payment) -> assertThat(key).startsWith(payment.run() + ":"));
        assertThat(payments.conflicts()).as("keys reused for another request").isZero();
        for (var operation : List.of("charges", "captures", "receipts")) {
            assertThat(payments.appliedCount(operation)).as(operation).isEqualTo(count);
        }
    }

    /** The idempotency key of a checkout step's payment. */
    static String key(String runId, String step) {
        return runId + ":" + step + ":0:payments:" + step;
    }

    /**
     * {@code aios admin verify} finds the stopped server's data directory (or the database {@code
     * options} name) intact, with {@code runs} runs.
     */
    static void assertVerifies(ServerProcess server, int runs, String... options) {
        var out = new StringWriter();
        var err = new StringWriter();
        var commandLine = Main.commandLine(Map.of());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        var arguments = new java.util.ArrayList<>(
                List.of("admin", "verify", "--data", server.dataDirectory().toString()));
        arguments.addAll(List.of(options));
        int verified = commandLine.execute(arguments.toArray(String[]::new));
        assertThat(verified).as("aios admin verify: " + out + err).isZero();
        assertThat(out.toString()).startsWith("ok: " + runs + " runs");
    }
}
