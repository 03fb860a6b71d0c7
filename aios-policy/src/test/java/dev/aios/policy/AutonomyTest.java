package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskView;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graduated autonomy end to end: a region the operator approved unchanged N times in a row is
 * proposed in the inbox, accepting it lets that region through, inputs outside it still reach the
 * operator, and a correction of an output it let through revokes it.
 */
class AutonomyTest {
    static final String POLICY = """
            segments:
              key-accounts: "record.?tier.orValue('') == 'key'"
            gates:
              - { name: review-quotes, when: "agent == 'draft-quote'", decide: approve }
            learning: { streak: 5 }
            """;

    @TempDir
    Path dir;

    PolicyHarness aios;

    @BeforeEach
    void start() {
        aios = new PolicyHarness(dir, POLICY);
        aios.customer("acme", "{tier: key}");
        aios.customer("globex", "{tier: key}");
        aios.customer("newco", "{projects: 0}");
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    /** Approves a lead's quote unchanged. */
    void approved(String company, int amount) {
        var task = aios.openTask(aios.lead(company, amount)).orElseThrow();
        aios.kernel.approve(task.id(), Optional.empty(), "");
        aios.policy.settle();
    }

    TaskView inboxItem(String playbook, String containing) {
        return Eventually.await(
                        () -> {
                            aios.policy.settle();
                            return aios.kernel.tasks(false).stream()
                                    .filter(t -> aios.kernel
                                            .run(t.runId())
                                            .playbook()
                                            .equals(playbook))
                                    .filter(t -> t.toString().contains(containing))
                                    .toList();
                        },
                        tasks -> !tasks.isEmpty())
                .getFirst();
    }

    boolean heldForTheOperator(String company, int amount) {
        return aios.openTask(aios.lead(company, amount)).isPresent();
    }

    void accepted() {
        var suggestion = inboxItem("aios-policy-suggestion", "auto-approve");
        int before = aios.policy.current().version();
        aios.kernel.approve(suggestion.id(), Optional.empty(), "");
        Eventually.await(
                () -> {
                    aios.policy.settle();
                    return aios.policy.current().version();
                },
                v -> v > before);
    }

    @Test
    void aStreakOfUnchangedApprovalsIsProposedInTheInboxAndWidensNothingUntilAccepted() {
        for (int amount : new int[] {1000, 1100, 1200, 1300, 1400}) {
            approved(amount % 200 == 0 ? "acme" : "globex", amount);
        }

        var suggestion = inboxItem("aios-policy-suggestion", "auto-approve");

        assertThat(suggestion.toString())
                .contains("auto-approve draft-quote for key-accounts when confidence ≥ 0.9 and amount ≤ 1400")
                .contains("5 of 5 approved unchanged");
        assertThat(heldForTheOperator("acme", 1200)).isTrue();
        assertThat(aios.policy.current().version()).isEqualTo(1);
    }

    @Test
    void anAcceptedSuggestionLetsItsRegionThroughAndOnlyItsRegion() {
        for (int amount : new int[] {1000, 1100, 1200, 1300, 1400}) {
            approved("acme", amount);
        }
        accepted();

        var through = aios.completed(aios.lead("acme", 1250));

        assertThat(through.tasks()).isEmpty();
        assertThat(quote(through).provenance().toString()).contains("auto-draft-quote-key-accounts");
        assertThat(aios.policy.current().reason()).startsWith("accepted suggestion");
        assertThat(heldForTheOperator("acme", 3000))
                .as("an amount beyond the largest approved")
                .isTrue();
        assertThat(heldForTheOperator("acme", 6000))
                .as("a confidence below the range")
                .isTrue();
        assertThat(heldForTheOperator("newco", 1200)).as("a segment never seen").isTrue();
    }

    @Test
    void correctingAnOutputThatCommittedOnItsOwnRevokesTheSuggestionAndSaysSoInTheInbox() {
        for (int amount : new int[] {1000, 1100, 1200, 1300, 1400}) {
            approved("acme", amount);
        }
        accepted();
        var through = aios.completed(aios.lead("acme", 1250));
        var step = quote(through);
        var corrected = step.output().deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) corrected).put("text", "Quote for ACME Corp.");

        JsonNode report = aios.policy.correct(
                through.id(), "quote", step.input(), step.output(), corrected, "use the full name", "operator");

        assertThat(report.path("committed").asText()).isEqualTo("auto");
        assertThat(report.path("revoked").path("text").asText()).contains("Autonomy revoked for draft-quote");
        assertThat(aios.policy.current().document().toString()).doesNotContain("auto-draft-quote");
        assertThat(aios.policy.current().reason()).startsWith("revoked suggestion");
        assertThat(aios.kernel.audit().since(java.time.Instant.EPOCH, 100))
                .filteredOn(e -> e.action().startsWith("suggestion."))
                .extracting(e -> e.actor() + " " + e.action() + " v"
                        + e.details().path("version").asInt())
                .containsExactly("local suggestion.accept v2", "local suggestion.revoke v3");
        assertThat(inboxItem("aios-policy-alert", "Autonomy revoked").toString())
                .contains("use the full name");
        assertThat(heldForTheOperator("acme", 1250))
                .as("the region goes to the operator again")
                .isTrue();
    }

    @Test
    void aCorrectionOfAStepThePolicyNeverSawIsRefusedWithTheWayOut() {
        var runId = aios.lead("acme", 100);
        aios.kernel.approve(aios.openTask(runId).orElseThrow().id(), Optional.empty(), "");
        var run = aios.completed(runId);

        assertThatThrownBy(() -> aios.policy.correct(
                        run.id(),
                        "sent",
                        PolicyHarness.JSON.objectNode(),
                        PolicyHarness.JSON.objectNode(),
                        PolicyHarness.yaml("{x: 1}"),
                        "",
                        "operator"))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("aios run show " + run.id());
    }

    private static StepView quote(RunView run) {
        return run.steps().stream()
                .filter(s -> s.id().equals("quote"))
                .findFirst()
                .orElseThrow();
    }
}
