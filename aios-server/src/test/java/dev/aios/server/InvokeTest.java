package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.AgentStep;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synchronous invocation: the output when the run completes in time, the run to follow when not. */
class InvokeTest {
    @TempDir
    Path dir;

    Kernel kernel;
    ApiServer server;

    @BeforeEach
    void start() {
        kernel = Kernel.builder()
                .dataDirectory(dir)
                .agent(new EchoPlaybook.Echo())
                .playbook(EchoPlaybook.playbook())
                .playbook(Playbook.builder("shout")
                        .trigger(Trigger.on("text.given"))
                        .step(AgentStep.of("upper", "echo")
                                .withInput("text", "event.data.text.upperAscii() + ' (' + run.subject + ')'")
                                .withNext(Step.END))
                        .build())
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        server = ApiServer.start(kernel, 0);
    }

    @AfterEach
    void stop() {
        server.close();
        kernel.close();
    }

    @Test
    void aRunThatCompletesInTimeAnswersWithItsOutput() {
        var answer = post("/api/playbooks/shout/invoke?wait=20s", "{\"subject\":\"acme\",\"data\":{\"text\":\"hi\"}}");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asText()).isEqualTo("completed");
        assertThat(answer.json().path("output").path("text").asText()).isEqualTo("HI (acme)");
        assertThat(kernel.runs(RunQuery.all())).singleElement().satisfies(run -> assertThat(run.playbook())
                .isEqualTo("shout"));
    }

    @Test
    void aRunThatDoesNotEndInTimeAnswers202WithTheRunToFollow() {
        var answer = post("/api/playbooks/" + EchoPlaybook.NAME + "/invoke?wait=1s", "{\"data\":{\"text\":\"hi\"}}");

        assertThat(answer.status()).isEqualTo(202);
        var runId = answer.json().path("runId").asText();
        assertThat(answer.json().path("location").asText()).isEqualTo("/api/runs/" + runId);
        assertThat(kernel.run(runId).playbook()).isEqualTo(EchoPlaybook.NAME);
    }

    @Test
    void theSameIdAnswersWithTheSameRun() {
        var first = post("/api/playbooks/shout/invoke", "{\"id\":\"form-7\",\"data\":{\"text\":\"a\"}}");
        var again = post("/api/playbooks/shout/invoke", "{\"id\":\"form-7\",\"data\":{\"text\":\"a\"}}");

        assertThat(again.json().path("runId").asText())
                .isEqualTo(first.json().path("runId").asText());
        assertThat(kernel.runs(RunQuery.all())).hasSize(1);
    }

    @Test
    void anInvocationStartsOnlyThatPlaybook() {
        // Another playbook on the same trigger type is not started by an invocation.
        post("/api/playbooks/" + EchoPlaybook.NAME + "/invoke?wait=0s", "{\"data\":{\"text\":\"x\"}}");

        assertThat(kernel.runs(RunQuery.all())).singleElement().satisfies(run -> assertThat(run.playbook())
                .isEqualTo(EchoPlaybook.NAME));
    }

    @Test
    void badRequestsAreRefusedWithoutStartingAnything() {
        assertThat(post("/api/playbooks/nope/invoke", "{}").status()).isEqualTo(404);
        assertThat(post("/api/playbooks/shout/invoke?wait=soon", "{}").status()).isEqualTo(400);
        assertThat(post("/api/playbooks/shout/invoke", "{\"dta\":{}}").status()).isEqualTo(400);
        assertThat(kernel.runs(RunQuery.all())).isEmpty();
    }

    @Test
    void theCommandLinePrintsTheOutput() {
        var env = Map.of("AIOS_URL", "http://localhost:" + server.port(), "AIOS_TOKEN", TestAios.adminToken(dir));
        var result = TestAios.cli(env, "invoke", "shout", "--subject", "acme", "--data", "{\"text\":\"yo\"}");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("YO (acme)");
    }

    private TestAios.Response post(String path, String body) {
        try {
            var response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://localhost:" + server.port() + path))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + TestAios.adminToken(dir))
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            return new TestAios.Response(response.statusCode(), "", response.body(), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
