package dev.aios.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.ConnectorPolicy;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskKind;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a provider does wrong is retried with backoff under its circuit breaker, and ends visible. */
class ProviderFailureTest {
    static final String GOOD = "{\"score\": 82, \"reason\": \"clear\", \"confidence\": 0.9}";

    @TempDir
    Path dir;

    ModelsHarness aios;

    @AfterEach
    void stop() {
        aios.close();
    }

    ModelsHarness started() {
        aios = new ModelsHarness(dir);
        var settings = aios.openAi();
        return aios.start(
                settings.withProvider(settings.providers().get("openai").withTimeout(Duration.ofSeconds(2))),
                PromptAgentTest.PLAYBOOK);
    }

    StepView scored(String runId) {
        return aios.until(runId, r -> r.status() == RunStatus.COMPLETED).steps().getFirst();
    }

    @Test
    void aShortRetryAfterIsWaitedOutWithinTheAttempt() {
        started().provider.enqueue(Reply.rateLimited(1), Reply.json(GOOD));
        long started = System.nanoTime();

        var step = scored(aios.send("acme", PromptAgentTest.LEAD));

        assertThat(step.attempts()).hasSize(1);
        assertThat(aios.provider.requests()).hasSize(2);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aLongRetryAfterEndsTheAttemptAndTheStepIsRetriedLater() {
        started().provider.enqueue(Reply.rateLimited(30), Reply.json(GOOD));

        var step = scored(aios.send("acme", PromptAgentTest.LEAD));

        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().getFirst().error())
                .get()
                .asString()
                .contains("openai answered HTTP 429: Rate limit reached; slow down")
                .contains("asked to wait 30s");
    }

    @Test
    void serverErrorsMalformedAnswersAndHangsAreRetriedWithTheProvidersMessageKept() {
        aios = new ModelsHarness(dir);
        // Three failures in a row would open the default breaker (whose wait runs on real time).
        aios.configure = builder ->
                builder.connector("openai", ConnectorPolicy.DEFAULT.withBreaker(100, 10, 10, Duration.ofSeconds(1)));
        var settings = aios.openAi();
        aios.start(
                settings.withProvider(settings.providers().get("openai").withTimeout(Duration.ofSeconds(2))),
                PromptAgentTest.PLAYBOOK);
        var cases = new String[][] {
            {"500", "openai answered HTTP 500: the model is overloaded"},
            {"malformed", "not the JSON its API promises"},
            {"hang", "openai did not answer in time"}
        };
        for (var c : cases) {
            aios.provider.enqueue(
                    switch (c[0]) {
                        case "500" -> Reply.serverError("the model is overloaded");
                        case "malformed" -> Reply.malformed();
                        default -> Reply.hang();
                    },
                    Reply.json(GOOD.replace("clear", c[0])));
            var step = scored(aios.send("lead-" + c[0], PromptAgentTest.LEAD.replace("Acme", c[0])));
            assertThat(step.attempts()).as(c[0]).hasSize(2);
            assertThat(step.attempts().getFirst().error())
                    .as(c[0])
                    .get()
                    .asString()
                    .contains(c[1]);
            assertThat(step.output().path("reason").asText()).isEqualTo(c[0]);
        }
    }

    @Test
    void aProviderThatKeepsFailingLeavesADeadLetterWithItsMessage() {
        started().provider.enqueue(Reply.serverError("upstream exploded"), Reply.serverError("upstream exploded"));

        String run = aios.send("acme", PromptAgentTest.LEAD);
        aios.until(run, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        var task = aios.taskOf(run);

        assertThat(task.kind()).isEqualTo(TaskKind.DEAD_LETTER);
        assertThat(task.explanation()).contains("openai answered HTTP 500: upstream exploded");
    }

    @Test
    void repeatedFailuresOpenTheProvidersBreakerAndStepsWaitWithoutUsingAttempts() {
        aios = new ModelsHarness(dir);
        aios.configure = builder ->
                builder.connector("openai", ConnectorPolicy.DEFAULT.withBreaker(50, 2, 2, Duration.ofHours(1)));
        aios.start(aios.openAi(), PromptAgentTest.PLAYBOOK);
        aios.provider.enqueue(Reply.serverError("down"), Reply.serverError("down"));

        String failed = aios.send("acme", PromptAgentTest.LEAD);
        aios.until(failed, r -> r.status() == RunStatus.NEEDS_ATTENTION);
        String waiting = aios.send("bolt", "{\"company\": \"Bolt\", \"need\": \"a logo\"}");
        var run = aios.until(waiting, r -> r.steps().getFirst().error().isPresent());

        assertThat(run.steps().getFirst().error()).get().asString().contains("circuit breaker of 'openai' is open");
        assertThat(aios.provider.requests())
                .as("no call goes out while the breaker is open")
                .hasSize(2);
    }
}
