package dev.aios.server;

import static dev.aios.server.TestAios.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerTest {
    @TempDir
    Path dataDirectory;

    TestAios aios;

    @BeforeEach
    void start() {
        aios = TestAios.start(dataDirectory);
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void anEventRunsTheAgentWaitsForApprovalAndCompletes() {
        var runId = aios.ping("hi");

        var run = aios.eventually(
                "/api/runs/" + runId,
                view -> step(view, "say").path("status").asText().equals("completed"));
        assertThat(run.path("playbook").asText()).isEqualTo(EchoPlaybook.NAME);
        assertThat(run.path("subject").asText()).isEqualTo("acme");
        assertThat(step(run, "say").path("output").path("text").asText()).isEqualTo("hi");
        assertThat(step(run, "say").path("agent").asText()).contains("echo");

        var task = aios.openTaskOf(runId);
        assertThat(task.path("title").asText()).isEqualTo("ok?");
        assertThat(task.path("status").asText()).isEqualTo("open");

        var approved = aios.post("/api/tasks/" + task.path("id").asText() + "/approve", "{\"comment\":\"fine\"}");
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.json().path("status").asText()).isEqualTo("approved");

        aios.eventually(
                "/api/runs/" + runId, view -> view.path("status").asText().equals("completed"));
        var completed = aios.get("/api/runs?status=completed").json();
        assertThat(completed.findValuesAsText("id")).contains(runId);
        var journal = aios.get("/api/runs/" + runId + "/journal").json();
        assertThat(journal.size()).isGreaterThan(2);
        assertThat(journal.get(0).path("seq").asLong()).isEqualTo(1);
    }

    @Test
    void aRejectedTaskFailsTheRun() {
        var runId = aios.ping("no");
        var task = aios.openTaskOf(runId);

        var rejected = aios.post("/api/tasks/" + task.path("id").asText() + "/reject", "{\"reason\":\"not now\"}");

        assertThat(rejected.status()).isEqualTo(200);
        assertThat(rejected.json().path("status").asText()).isEqualTo("rejected");
        aios.eventually(
                "/api/runs/" + runId, view -> view.path("status").asText().equals("failed"));
    }

    @Test
    void aCancelledRunEndsAndItsTaskIsCancelled() {
        var runId = aios.ping("stop");
        var task = aios.openTaskOf(runId);

        var cancelled = aios.post("/api/runs/" + runId + "/cancel", "{\"reason\":\"changed my mind\"}");

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().path("status").asText()).isEqualTo("cancelled");
        var after = aios.get("/api/tasks/" + task.path("id").asText()).json();
        assertThat(after.path("status").asText()).isEqualTo("cancelled");
    }

    @Test
    void theRunListComesInPagesLinkedByCursorsAndTheCliFollowsThem() {
        var started = new java.util.ArrayList<String>();
        for (int i = 0; i < 5; i++) {
            started.add(aios.ping("page " + i));
        }
        var seen = new java.util.ArrayList<String>();
        var path = "/api/runs?limit=2";
        int pages = 0;
        while (path != null) {
            var page = aios.get(path);
            assertThat(page.status()).isEqualTo(200);
            page.json().forEach(run -> seen.add(run.path("id").asText()));
            pages++;
            var link =
                    java.util.regex.Pattern.compile("<([^>]+)>; rel=\"next\"").matcher(page.link());
            path = link.find() ? link.group(1) : null;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(started);

        var firstPage = aios.cli("runs", "--limit", "2");
        assertThat(firstPage.out()).contains("more: aios runs --after ");
        var every = aios.cli("runs", "--limit", "2", "--every", "--json");
        assertThat(every.out()).contains(started.toArray(String[]::new));

        var bad = aios.get("/api/runs?after=nonsense");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().path("detail").asText()).contains("is not a cursor");
    }

    @Test
    void aDuplicateEventIdIsAcknowledgedWithoutANewRun() {
        var event = "{\"id\":\"evt-1\",\"type\":\"test.ping\",\"data\":{\"text\":\"once\"}}";

        var first = aios.post("/api/events", event);
        var second = aios.post("/api/events", event);

        assertThat(first.status()).isEqualTo(202);
        assertThat(first.json().path("duplicate").asBoolean()).isFalse();
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().path("duplicate").asBoolean()).isTrue();
        assertThat(second.json().path("eventId").asText()).isEqualTo("evt-1");
        assertThat(second.json().path("started")).isEmpty();
        assertThat(aios.get("/api/runs?playbook=" + EchoPlaybook.NAME).json()).hasSize(1);
    }

    @Test
    void aCloudEventIsAccepted() {
        var cloudEvent = """
                {"specversion":"1.0","id":"ce-1","type":"test.ping","source":"/tests","subject":"acme",
                 "time":"2025-01-31T09:30:00Z","datacontenttype":"application/json","data":{"text":"from ce"}}""";

        var answer = aios.post("/api/events", "application/cloudevents+json", cloudEvent);

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("eventId").asText()).isEqualTo("ce-1");
        var runId = answer.json().path("started").get(0).asText();
        var run = aios.eventually(
                "/api/runs/" + runId,
                view -> step(view, "say").path("status").asText().equals("completed"));
        assertThat(step(run, "say").path("output").path("text").asText()).isEqualTo("from ce");
    }

    @Test
    void aCloudEventIsRecognisedByItsSpecVersionAsPlainJson() {
        var answer = aios.post(
                "/api/events",
                "{\"specversion\":\"1.0\",\"type\":\"test.ping\",\"correlationid\":\"c-1\",\"data\":{\"text\":\"x\"}}");

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().path("started")).hasSize(1);
    }

    @Test
    void malformedJsonIsABadRequestProblem() {
        var answer = aios.post("/api/events", "{\"type\": \"test.ping\",");

        assertProblem(answer, 400);
        assertThat(answer.json().path("detail").asText()).contains("not valid JSON");
        assertThat(aios.get("/api/runs").json()).isEmpty();
    }

    @Test
    void fieldsOfTheWrongTypeAreBadRequestsNamingTheField() {
        assertProblem(aios.post("/api/events", "{\"type\":5}"), 400, "'type'");
        assertProblem(aios.post("/api/events", "{\"type\":\"test.ping\",\"data\":[1]}"), 400, "'data'");
        assertProblem(aios.post("/api/events", "{\"type\":\"test.ping\",\"subject\":{}}"), 400, "'subject'");
        assertProblem(aios.post("/api/events", "{\"type\":\"test.ping\",\"time\":\"yesterday\"}"), 400, "'time'");
        assertProblem(aios.post("/api/events", "{\"type\":\"Not A Type\"}"), 400, "'type'");
        assertProblem(aios.post("/api/events", "{\"subject\":\"acme\"}"), 400, "'type' is required");
        assertProblem(aios.post("/api/events", "{\"type\":\"test.ping\",\"subjet\":\"acme\"}"), 400, "'subjet'");
        assertProblem(aios.post("/api/events", "[1, 2]"), 400, "JSON object");
        assertProblem(
                aios.post("/api/events", "{\"specversion\":\"0.3\",\"type\":\"test.ping\"}"), 400, "'specversion'");
        assertThat(aios.get("/api/runs").json()).isEmpty();
    }

    @Test
    void unknownRunsTasksAndRoutesAreNotFoundProblems() {
        var run = aios.get("/api/runs/no-such-run");
        var task = aios.get("/api/tasks/no-such-task");
        var approve = aios.post("/api/tasks/no-such-task/approve", "");
        var route = aios.get("/api/nothing-here");

        assertProblem(run, 404);
        assertThat(run.json().path("type").asText()).isEqualTo("/problems/not-found");
        assertProblem(task, 404);
        assertProblem(approve, 404);
        assertProblem(route, 404);
        assertThat(route.json().path("type").asText()).isEqualTo("about:blank");
    }

    @Test
    void approvingTwiceIsAConflict() {
        var runId = aios.ping("twice");
        var taskId = aios.openTaskOf(runId).path("id").asText();

        var first = aios.post("/api/tasks/" + taskId + "/approve", "");
        var second = aios.post("/api/tasks/" + taskId + "/approve", "");

        assertThat(first.status()).isEqualTo(200);
        assertProblem(second, 409);
        assertThat(second.json().path("type").asText()).isEqualTo("/problems/conflict");
    }

    @Test
    void badRunFiltersAreBadRequests() {
        assertProblem(aios.get("/api/runs?status=sleeping"), 400, "sleeping");
        assertProblem(aios.get("/api/runs?limit=lots"), 400, "limit");
        assertProblem(aios.get("/api/runs?limit=0"), 400, "limit");
        assertProblem(aios.get("/api/tasks?all=maybe"), 400, "'all'");
        assertThat(aios.get("/api/runs?status=needs-attention&limit=5").status())
                .isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIsRefused() {
        var big = "{\"type\":\"test.ping\",\"data\":{\"text\":\"" + "x".repeat((int) ApiServer.MAX_BODY_BYTES) + "\"}}";

        assertProblem(aios.post("/api/events", big), 413);
        assertThat(aios.get("/api/runs").json()).isEmpty();
    }

    @Test
    void healthPlaybooksAndAgentsDescribeTheServer() {
        var health = aios.get("/health");
        var playbooks = aios.get("/api/playbooks").json();
        var agents = aios.get("/api/agents").json();

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().path("status").asText()).isEqualTo("ok");
        assertThat(health.json().has("storage")).isFalse();
        // The backlog a restart left, shrinking as the workers move it on; nothing is due here.
        assertThat(health.json().path("work").path("due").isIntegralNumber()).isTrue();
        assertThat(health.json().path("work").has("running")).isTrue();
        assertThat(playbooks.findValuesAsText("name")).contains(EchoPlaybook.NAME);
        assertThat(agents.findValuesAsText("name")).contains("echo");
        assertThat(aios.post("/api/playbooks/reload", "").status()).isEqualTo(200);
    }

    @Test
    void aSecondServerOnTheSamePortIsRefusedWithAHint() {
        int taken = aios.server.port();

        var refused = catchThrowable(() -> ApiServer.start(aios.kernel, taken));

        assertThat(refused)
                .isInstanceOf(PortInUseException.class)
                .hasMessage("port " + taken + " is in use; pass --port N or stop the other process");
    }

    @Test
    void aParkedStepIsRetriedOnceItsCauseIsFixedAndTheRunCompletes() {
        var runId = aios.parkedOrder("o-retry");
        var task = aios.openTaskOf(runId);
        assertThat(task.path("kind").asText()).isEqualTo("dead-letter");
        assertThat(task.path("options")).extracting(JsonNode::asText).contains("retry", "skip", "compensate");
        assertThat(task.path("explanation").asText()).contains("the carrier refused order o-retry");

        ShipPlaybook.FAILING.remove("o-retry");
        var retried =
                aios.post("/api/tasks/" + task.path("id").asText() + "/retry", "{\"comment\":\"carrier is back\"}");

        assertThat(retried.status()).as(retried.body()).isEqualTo(200);
        assertThat(retried.json().path("status").asText()).isEqualTo("retried");
        var run = aios.eventually(
                "/api/runs/" + runId, view -> view.path("status").asText().equals("completed"));
        assertThat(step(run, "ship").path("output").path("tracking").asText()).isEqualTo("track-o-retry");
        assertThat(step(run, "ship").path("attempts")).hasSize(2);
    }

    @Test
    void aParkedStepIsSkippedWithTheOutputTheRunGoesOnWith() {
        var runId = aios.parkedOrder("o-skip");
        var taskId = aios.openTaskOf(runId).path("id").asText();

        var withoutOutput = aios.post("/api/tasks/" + taskId + "/skip", "{\"comment\":\"shipped by hand\"}");
        var notFitting = aios.post("/api/tasks/" + taskId + "/skip", "{\"output\":{\"order\":1}}");
        var skipped = aios.post(
                "/api/tasks/" + taskId + "/skip",
                "{\"output\":{\"order\":\"o-skip\",\"tracking\":\"by-hand\"},\"comment\":\"shipped by hand\"}");

        assertProblem(withoutOutput, 400, "'output' is required");
        assertProblem(notFitting, 400, "contract");
        assertThat(skipped.status()).as(skipped.body()).isEqualTo(200);
        assertThat(skipped.json().path("status").asText()).isEqualTo("skipped");
        var run = aios.eventually(
                "/api/runs/" + runId, view -> view.path("status").asText().equals("completed"));
        assertThat(run.path("context").path("ship").path("tracking").asText()).isEqualTo("by-hand");
    }

    @Test
    void aParkedStepIsAnsweredByUndoingTheRun() {
        var runId = aios.parkedOrder("o-undo");
        var taskId = aios.openTaskOf(runId).path("id").asText();

        var compensated = aios.post("/api/tasks/" + taskId + "/compensate", "");

        assertThat(compensated.status()).as(compensated.body()).isEqualTo(200);
        var run = aios.eventually(
                "/api/runs/" + runId, view -> view.path("status").asText().equals("compensated"));
        assertThat(step(run, "reserve").path("status").asText()).isEqualTo("compensated");
        assertThat(ShipPlaybook.RELEASED).contains("res-o-undo");
    }

    @Test
    void answersThatDoNotFitTheTaskAreRefusedAndChangeNothing() {
        var approvalRun = aios.ping("not a failure");
        var approvalTask = aios.openTaskOf(approvalRun).path("id").asText();
        var parkedRun = aios.parkedOrder("o-refused");
        var parkedTask = aios.openTaskOf(parkedRun).path("id").asText();

        assertProblem(aios.post("/api/tasks/no-such-task/retry", ""), 404, "no-such-task");
        assertProblem(aios.post("/api/tasks/no-such-task/skip", "{\"output\":{}}"), 404, "no-such-task");
        assertProblem(aios.post("/api/tasks/no-such-task/compensate", ""), 404, "no-such-task");
        assertProblem(aios.post("/api/tasks/" + approvalTask + "/retry", ""), 409, "approve or reject");
        assertProblem(aios.post("/api/tasks/" + approvalTask + "/compensate", ""), 409);
        assertProblem(aios.post("/api/tasks/" + parkedTask + "/retry", "{\"reason\":\"typo\"}"), 400, "'reason'");

        assertThat(aios.get("/api/tasks/" + approvalTask).json().path("status").asText())
                .isEqualTo("open");
        assertThat(aios.get("/api/tasks/" + parkedTask).json().path("status").asText())
                .isEqualTo("open");
        assertThat(aios.get("/api/runs/" + parkedRun).json().path("status").asText())
                .isEqualTo("needs-attention");
    }

    @Test
    void aRunReplaysFromItsJournalToItsStoredState() {
        var runId = aios.ping("replay me");
        aios.openTaskOf(runId);
        int entries = aios.get("/api/runs/" + runId + "/journal").json().size();

        var full = aios.post("/api/runs/" + runId + "/replay?full=true", "");
        var fromSnapshot = aios.post("/api/runs/" + runId + "/replay", "");

        assertThat(full.status()).as(full.body()).isEqualTo(200);
        assertThat(full.json().path("divergences")).isEmpty();
        assertThat(full.json().path("entries").asInt()).isEqualTo(entries);
        assertThat(full.json().path("fromSnapshot").asInt()).isZero();
        assertThat(fromSnapshot.status()).isEqualTo(200);
        assertThat(fromSnapshot.json().path("divergences")).isEmpty();
        assertProblem(aios.post("/api/runs/no-such-run/replay", ""), 404, "no-such-run");
        assertProblem(aios.post("/api/runs/" + runId + "/replay?full=maybe", ""), 400, "'full'");
    }

    @Test
    void aForgottenSubjectsDataCanNoLongerBeRead() {
        var secret = "the acme secret " + UUID.randomUUID();
        var started = aios.post(
                "/api/events",
                "{\"type\":\"test.ping\",\"subject\":\"forget-me\",\"data\":{\"text\":\"" + secret + "\"}}");
        var runId = started.json().path("started").get(0).asText();
        aios.openTaskOf(runId);

        var forgotten = aios.post("/api/subjects/forget-me/forget", "");

        assertThat(forgotten.status()).as(forgotten.body()).isEqualTo(200);
        assertThat(forgotten.json().path("subject").asText()).isEqualTo("forget-me");
        assertThat(forgotten.json().path("runsCancelled").asInt()).isEqualTo(1);
        assertThat(forgotten.json().path("runsScrubbed").asInt()).isEqualTo(1);
        assertThat(aios.get("/api/runs/" + runId).body()).doesNotContain(secret);
        assertThat(aios.get("/api/runs/" + runId + "/journal").body()).doesNotContain(secret);
    }

    private static void assertProblem(TestAios.Response answer, int status, String... detailParts) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        JsonNode problem = answer.json();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText()).isNotBlank();
        assertThat(problem.path("type").asText()).isNotBlank();
        assertThat(problem.path("detail").asText()).isNotBlank();
        if (detailParts.length > 0) {
            assertThat(problem.path("detail").asText()).contains(detailParts);
        }
    }
}
