package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.aios.examples.Plan;
import dev.aios.testing.Http;
import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The design studio demo as an operator runs it: {@code aios up} as a real process, driven through
 * the public HTTP API, killed with SIGKILL at the worst moments and restarted on the same data
 * directory. Whatever happens, nothing is lost or done twice, and the data directory verifies.
 */
class DesignStudioEndToEndIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    ServerProcess server;
    Http http;

    @BeforeEach
    void start() {
        // No model provider, whatever this machine's environment holds: the proposal email is a draft task.
        server = ServerProcess.builder(directory)
                .environment("OPENAI_API_KEY", "")
                .environment("OPENAI_BASE_URL", "")
                .environment("ANTHROPIC_API_KEY", "")
                .start();
        http = server.http();
    }

    @AfterEach
    void kill() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aLeadSurvivesAKillDuringItsSprintAndIsDeliveredAndInvoicedOnce() {
        var runId = startedRun(http.post("/api/events", """
                        {"id": "lead-acme-1", "type": "lead.received", "subject": "acme",
                         "data": {"name": "Ada Lovelace", "email": "ada@acme.test", "company": "Acme",
                                  "budget": 4000, "need": "brand refresh and landing page", "plan": "standard",
                                  "sprint": "PT4S", "reviewWindow": "P5D", "followUpAfter": "PT1S"}}""").expect(202));
        var proposal = approveProposal(runId);
        assertThat(proposal.path("kind").asText()).isEqualTo("draft");
        assertThat(proposal.path("proposed").path("to").asText()).isEqualTo("ada@acme.test");
        assertThat(proposal.path("proposed").path("body").asText()).startsWith("Hi Ada Lovelace,");
        awaitRun("run " + runId + " to wait in its sprint", runId, waitingIn("sprint"));
        var sprintEndsAt = Instant.parse(single(entries(runId, "TimerSet", "sprint"))
                .path("data")
                .path("fireAt")
                .asText());

        server.killHard();
        assertThat(Instant.now())
                .as("the kill must land while the sprint timer is pending")
                .isBefore(sprintEndsAt);
        server.restart();

        awaitRun("run " + runId + " to await the client's acceptance after the sprint", runId, waitingIn("deliver"));
        var sprintCompletions = entries(runId, "StepCompleted", "sprint");
        assertThat(sprintCompletions).as("the sprint timer fired once").hasSize(1);
        assertThat(entries(runId, "TimerSet", "sprint"))
                .as("the sprint timer was set once")
                .hasSize(1);
        assertThat(Instant.parse(sprintCompletions.get(0).path("at").asText()))
                .as("the sprint did not end early")
                .isAfterOrEqualTo(sprintEndsAt.truncatedTo(ChronoUnit.MILLIS));

        var accepted = http.post("/api/events", """
                        {"type": "delivery.accepted", "subject": "acme", "data": {"note": "love it"}}""").expect(202);
        assertThat(accepted.json().path("resumed")).extracting(JsonNode::asText).containsExactly(runId);
        // No mail server is configured: the check-in email waits in the inbox for the operator to send.
        var checkIn = Poll.until(
                "the check-in email of run " + runId,
                () -> openTaskOf(runId),
                found -> found.path("stepId").asText().equals("email-follow-up"),
                DEADLINE,
                this::serverLog);
        assertThat(checkIn.path("title").asText()).isEqualTo("Send this email to ada@acme.test yourself");
        assertThat(checkIn.path("proposed").path("subject").asText())
                .isEqualTo("How are the new designs working for Acme?");
        http.post("/api/tasks/" + checkIn.path("id").asText() + "/approve", "{\"comment\": \"sent\"}")
                .expect(200);
        var run = awaitRun("run " + runId + " to complete", runId, status("completed"));

        var context = run.path("context");
        assertThat(context.path("invoice").path("amount").asInt())
                .as("the invoice bills one month of the standard plan")
                .isEqualTo(Plan.STANDARD.monthlyPrice())
                .isEqualTo(context.path("project").path("monthlyPrice").asInt());
        assertThat(context.path("invoice").path("projectId").asText())
                .isEqualTo(context.path("project").path("projectId").asText());
        assertThat(context.path("delivered").path("eventId").asText())
                .as("project.delivered was emitted")
                .isNotBlank();
        assertThat(run.path("steps"))
                .extracting(step -> step.path("id").asText())
                .containsExactly(
                        "qualify",
                        "decide",
                        "project",
                        "account-opened",
                        "propose",
                        "email-proposal",
                        "sprint",
                        "deliver",
                        "invoice",
                        "follow-up",
                        "delivered",
                        "account-delivered",
                        "check-in",
                        "email-follow-up");
        assertThat(run.path("steps")).allSatisfy(step -> {
            assertThat(step.path("status").asText())
                    .as(step.path("id").asText())
                    .isEqualTo("completed");
            assertThat(step.path("iteration").asInt())
                    .as(step.path("id").asText())
                    .isZero();
        });
        var journal = journal(runId);
        assertThat(journal)
                .extracting(entry -> entry.path("seq").asLong())
                .as("journal sequence numbers")
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, journal.size()).boxed().toList());
        assertThat(entries(runId, "RunCompleted", "")).hasSize(1);

        assertStopsCleanlyAndVerifies(1);
    }

    @Test
    void aReviewTaskSurvivesAKillAndItsApprovalMovesTheRunOn() {
        var runId = startedRun(http.post("/api/events", """
                        {"type": "lead.received", "subject": "bolt",
                         "data": {"name": "Bo", "email": "bo@bolt.test", "company": "Bolt",
                                  "need": "logo and website"}}""").expect(202));
        var task = Poll.until(
                "a review task for run " + runId,
                () -> openTaskOf(runId),
                found -> !found.isMissingNode(),
                DEADLINE,
                this::serverLog);
        var taskId = task.path("id").asText();
        assertThat(task.path("stepId").asText()).isEqualTo("qualify");

        server.killHard();
        server.restart();

        var afterRestart = http.get("/api/tasks/" + taskId).expect(200).json();
        assertThat(afterRestart.path("status").asText()).isEqualTo("open");
        assertThat(openTaskOf(runId).path("id").asText()).isEqualTo(taskId);
        assertThat(run(runId).path("status").asText()).isEqualTo("waiting");

        var approved = http.post("/api/tasks/" + taskId + "/approve", "{\"comment\": \"worth a call\"}")
                .expect(200);
        assertThat(approved.json().path("status").asText()).isEqualTo("approved");
        approveProposal(runId);

        var run = awaitRun("run " + runId + " to wait in its sprint after the approval", runId, waitingIn("sprint"));
        assertThat(step(run, "qualify").path("status").asText()).isEqualTo("completed");
        assertThat(step(run, "project").path("status").asText()).isEqualTo("completed");
        assertThat(http.get("/api/tasks").expect(200).json()).isEmpty();

        assertStopsCleanlyAndVerifies(1);
    }

    @Test
    void anEventSentTwiceStartsOneRunAlsoAcrossARestart() {
        var lead = """
                {"id": "lead-cobalt-1", "type": "lead.received", "subject": "cobalt",
                 "data": {"name": "Cy", "email": "cy@cobalt.test", "company": "Cobalt",
                          "budget": 2500, "need": "a logo", "plan": "starter"}}""";

        var first = http.post("/api/events", lead).expect(202);
        var second = http.post("/api/events", lead).expect(200);
        server.killHard();
        server.restart();
        var third = http.post("/api/events", lead).expect(200);

        assertThat(first.json().path("duplicate").asBoolean()).isFalse();
        assertThat(first.json().path("started")).hasSize(1);
        for (var again : List.of(second, third)) {
            assertThat(again.json().path("duplicate").asBoolean())
                    .as(again.toString())
                    .isTrue();
            assertThat(again.json().path("started")).as(again.toString()).isEmpty();
        }
        var runId = startedRun(first);
        assertThat(http.get("/api/runs?subject=cobalt").expect(200).json())
                .extracting(run -> run.path("id").asText())
                .containsExactly(runId);
        // Killed moments after it started, the run resumes at once rather than after a lease expires.
        approveProposal(runId);
        awaitRun("run " + runId + " to resume and wait in its sprint", runId, waitingIn("sprint"));

        assertStopsCleanlyAndVerifies(1);
    }

    /** SIGTERM: the server says it stopped, exits normally, and leaves a data directory that verifies. */
    private void assertStopsCleanlyAndVerifies(int runs) {
        int exitCode = server.stop();
        assertThat(exitCode).as(server.explain("exit code after SIGTERM")).isIn(0, 143);
        assertThat(server.output()).contains("stopped");

        var out = new StringWriter();
        var err = new StringWriter();
        var commandLine = Main.commandLine(Map.of());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int verified = commandLine.execute(
                "admin", "verify", "--data", server.dataDirectory().toString());

        assertThat(verified).as("aios admin verify: " + out + err).isZero();
        assertThat(out.toString()).startsWith("ok: " + runs + " runs");
    }

    private static String startedRun(Http.Response accepted) {
        var started = accepted.json().path("started");
        assertThat(started).as(accepted.toString()).hasSize(1);
        return started.get(0).asText();
    }

    private JsonNode run(String runId) {
        return http.get("/api/runs/" + runId).expect(200).json();
    }

    /** Polls the run until {@code condition} holds; fails at once if the run gets stuck instead. */
    private JsonNode awaitRun(String description, String runId, Predicate<JsonNode> condition) {
        var run = Poll.until(
                description, () -> run(runId), condition.or(DesignStudioEndToEndIT::stuck), DEADLINE, this::serverLog);
        assertThat(condition.test(run))
                .as(server.explain("waited for " + description + ", but the run got stuck: " + run))
                .isTrue();
        return run;
    }

    private static boolean stuck(JsonNode run) {
        return List.of("needs-attention", "failed", "cancelled")
                .contains(run.path("status").asText());
    }

    private List<JsonNode> journal(String runId) {
        var entries = http.get("/api/runs/" + runId + "/journal").expect(200).json();
        return StreamSupport.stream(entries.spliterator(), false).toList();
    }

    /** The run's journal entries of {@code type}, about {@code step} (any step when blank). */
    private List<JsonNode> entries(String runId, String type, String step) {
        var found = new ArrayList<JsonNode>();
        for (var entry : journal(runId)) {
            if (entry.path("type").asText().equals(type)
                    && (step.isEmpty()
                            || entry.path("data").path("step").asText().equals(step))) {
                found.add(entry);
            }
        }
        return found;
    }

    /**
     * Waits for the drafted proposal email (no model provider is configured) and approves it as drafted;
     * then, no mail server being configured either, confirms having sent it by hand.
     */
    private JsonNode approveProposal(String runId) {
        var task = Poll.until(
                "the proposal email draft of run " + runId,
                () -> openTaskOf(runId),
                found -> found.path("stepId").asText().equals("propose"),
                DEADLINE,
                this::serverLog);
        http.post("/api/tasks/" + task.path("id").asText() + "/approve", "{}").expect(200);
        var send = Poll.until(
                "the approved proposal email of run " + runId + " to send by hand",
                () -> openTaskOf(runId),
                found -> found.path("stepId").asText().equals("email-proposal"),
                DEADLINE,
                this::serverLog);
        assertThat(send.path("title").asText())
                .isEqualTo(
                        "Send this email to " + task.path("proposed").path("to").asText() + " yourself");
        assertThat(send.path("proposed").path("subject").asText())
                .isEqualTo(task.path("proposed").path("subject").asText());
        http.post("/api/tasks/" + send.path("id").asText() + "/approve", "{\"comment\": \"sent\"}")
                .expect(200);
        return task;
    }

    private JsonNode openTaskOf(String runId) {
        for (var task : http.get("/api/tasks").expect(200).json()) {
            if (task.path("runId").asText().equals(runId)
                    && task.path("status").asText().equals("open")) {
                return task;
            }
        }
        return MissingNode.getInstance();
    }

    private static JsonNode single(List<JsonNode> entries) {
        assertThat(entries).hasSize(1);
        return entries.get(0);
    }

    private static JsonNode step(JsonNode run, String id) {
        for (var step : run.path("steps")) {
            if (step.path("id").asText().equals(id)) {
                return step;
            }
        }
        return MissingNode.getInstance();
    }

    private static Predicate<JsonNode> status(String status) {
        return run -> run.path("status").asText().equals(status);
    }

    private static Predicate<JsonNode> waitingIn(String stepId) {
        return run -> status("waiting").test(run)
                && step(run, stepId).path("status").asText().equals("waiting");
    }

    private String serverLog() {
        return "server log:\n" + server.logTail(40);
    }
}
