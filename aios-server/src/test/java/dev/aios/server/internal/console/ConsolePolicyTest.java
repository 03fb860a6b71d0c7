package dev.aios.server.internal.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.policy.PolicyExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console and the central policy: what the operator does on its pages is what the policy learns from. */
class ConsolePolicyTest {
    @TempDir
    Path data;

    PolicyExtension policy;
    ConsoleHarness aios;

    @BeforeEach
    void start() {
        policy = PolicyExtension.builder().build();
        aios = ConsoleHarness.start(data, Map.of(), Optional.of(policy));
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    JsonNode drafts() {
        policy.settle();
        var answers = policy.answers(Duration.ofDays(1));
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    @Test
    void theOperatorsTimeOnATaskStartsWhenTheConsoleShowsItsPage() {
        var browser = aios.new Browser().signedIn();
        // Answered without the console showing it (e.g. by a script through the API).
        var unseen = aios.openTaskOf(aios.lead("acme"));
        aios.kernel.approve(unseen.id(), Optional.empty(), "");

        assertThat(drafts().path("answers").asInt()).isEqualTo(1);
        assertThat(drafts().has("medianOperatorSeconds"))
                .as("a task answered without its page being shown has no measured time")
                .isFalse();

        var shown = aios.openTaskOf(aios.lead("globex"));
        assertThat(browser.get("/tasks/" + shown.id()).status()).isEqualTo(200);
        assertThat(browser.submit("/tasks/" + shown.id() + "/approve", Map.of()).status())
                .isEqualTo(303);

        assertThat(drafts().path("answers").asInt()).isEqualTo(2);
        assertThat(drafts().path("medianOperatorSeconds").asDouble()).isBetween(0.0, 60.0);
    }

    @Test
    void aTaskPageShownToSomeoneNotSignedInStartsNoClock() {
        var task = aios.openTaskOf(aios.lead("acme"));
        assertThat(aios.new Browser().get("/tasks/" + task.id()).status()).isEqualTo(303);
        assertThat(aios.new Browser().get("/").status()).isEqualTo(303);
        aios.kernel.approve(task.id(), Optional.empty(), "");

        assertThat(drafts().has("medianOperatorSeconds")).isFalse();
    }

    @Test
    void aTaskAnsweredFromItsInboxCardIsTimedFromWhenTheInboxFirstShowedIt() {
        var browser = aios.new Browser().signedIn();
        var task = aios.openTaskOf(aios.lead("acme"));
        var inbox = browser.get("/");
        assertThat(inbox.status()).isEqualTo(200);
        assertThat(inbox.body()).contains("/tasks/" + task.id() + "/approve");
        assertThat(browser.submit("/tasks/" + task.id() + "/approve", Map.of()).status())
                .isEqualTo(303);

        assertThat(drafts().path("answers").asInt()).isEqualTo(1);
        assertThat(drafts().path("medianOperatorSeconds").asDouble()).isBetween(0.0, 60.0);
    }
}
