package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.Eventually;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gates, segments, flags, limits and versions, through the policy's public API and the kernel's. */
class PolicyRulesTest {
    static final String POLICY = """
            agents:
              draft-quote: { confidence: output.confidence, amount: input.amount }
            segments:
              key-accounts: "record.?tier.orValue('') == 'key'"
              new-clients: "record.?projects.orValue(0) == 0"
            gates:
              - name: no-huge-quotes
                when: "amount > 20000"
                decide: block
              - name: key-accounts-run-alone
                when: "agent == 'draft-quote' && subject in segment('key-accounts') && confidence >= 0.9"
                decide: auto
              - name: review-quotes
                when: "agent == 'draft-quote'"
                decide: approve
            """;

    @TempDir
    Path dir;

    PolicyHarness aios;

    @AfterEach
    void close() {
        if (aios != null) {
            aios.close();
        }
    }

    @Test
    void everyQuoteWaitsForTheOperatorExceptWhereAGateLetsItThrough() {
        aios = new PolicyHarness(dir, POLICY);
        aios.customer("acme", "{tier: key, projects: 12}");
        aios.customer("newco", "{projects: 0}");

        var keyAccount = aios.completed(aios.lead("acme", 3000));
        var task = aios.openTask(aios.lead("newco", 3000)).orElseThrow();

        assertThat(provenance(keyAccount.steps().getFirst(), "policy")
                        .path("rule")
                        .asText())
                .isEqualTo("key-accounts-run-alone");
        assertThat(task.details().path("rule").asText()).isEqualTo("gate review-quotes");
        assertThat(task.explanation()).contains("review-quotes").contains("policy version 1");
    }

    @Test
    void anInputOutsideTheGatesRegionStillGoesToTheOperator() {
        aios = new PolicyHarness(dir, POLICY);
        aios.customer("acme", "{tier: key}");

        var lowConfidence = aios.openTask(aios.lead("acme", 8000)).orElseThrow();

        assertThat(lowConfidence.details().path("rule").asText()).isEqualTo("gate review-quotes");
    }

    @Test
    void aBlockingGateLetsTheOperatorOnlyFixOrRejectTheOutput() {
        aios = new PolicyHarness(dir, POLICY);

        var task = aios.openTask(aios.lead("acme", 50_000)).orElseThrow();

        assertThat(task.options()).containsExactly(TaskOption.EDIT, TaskOption.REJECT);
        assertThat(task.details().path("rule").asText()).isEqualTo("gate no-huge-quotes");
    }

    @Test
    void aFlagSwitchedOffForASegmentTakesEffectAtOnceAndTheRunRecordsIt() {
        aios = new PolicyHarness(dir, POLICY);
        aios.customer("newco", "{projects: 0}");
        aios.customer("acme", "{tier: key, projects: 3}");

        var version = aios.policy.setFlag("draft-quote", Optional.of("new-clients"), "off", "operator");
        var offTask = aios.openTask(aios.lead("newco", 1000)).orElseThrow();
        var onRun = aios.completed(aios.lead("acme", 1000));

        assertThat(version.version()).isEqualTo(2);
        assertThat(version.reason()).contains("new-clients").contains("off");
        assertThat(offTask.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(offTask.explanation()).contains("switched off for segment new-clients");
        var offFlag = provenance(aios.kernel.run(offTask.runId()).steps().getFirst(), "flag");
        assertThat(offFlag.path("state").asText()).isEqualTo("off");
        assertThat(offFlag.path("policyVersion").asInt()).isEqualTo(2);
        assertThat(provenance(onRun.steps().getFirst(), "flag").path("state").asText())
                .isEqualTo("on");
        assertThat(aios.policy
                        .flags()
                        .path("draft-quote")
                        .path("segments")
                        .path("new-clients")
                        .asText())
                .isEqualTo("off");
    }

    @Test
    void everyChangeIsANewVersionAndAnEarlierOneCanBeRestored() {
        aios = new PolicyHarness(dir, POLICY);
        var relaxed = PolicyHarness.yaml("gates: [{name: all-auto, when: 'true', decide: auto}]");

        aios.policy.put(relaxed, 1, "operator", "trying without reviews");
        aios.completed(aios.lead("newco", 1000));
        var back = aios.policy.rollback(1, "operator", "");

        assertThat(back.version()).isEqualTo(3);
        assertThat(back.reason()).isEqualTo("rolled back to version 1");
        assertThat(aios.policy.versions())
                .extracting(PolicyVersion::author)
                .containsExactly("operator", "operator", "aios.yaml");
        assertThat(aios.openTask(aios.lead("newco", 1000))).isPresent();
    }

    @Test
    void aPolicyWithMistakesIsRefusedWholeSayingWhereAndNothingChanges() {
        aios = new PolicyHarness(dir, POLICY);
        var broken = PolicyHarness.yaml("""
                gates:
                  - { name: a, when: "agent ==", decide: approve }
                  - { name: b, when: "subject in segment('vips')", decide: sometimes }
                flags: { draft-quote: maybe }
                """);

        assertThatThrownBy(() -> aios.policy.put(broken, 1, "operator", ""))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("4 problems")
                .hasMessageContaining("gates[0].when")
                .hasMessageContaining("segment 'vips' is not defined")
                .hasMessageContaining("gates[1].decide: say auto, approve or block")
                .hasMessageContaining("flags.draft-quote: a flag is on, off or shadow");
        assertThat(aios.policy.current().version()).isEqualTo(1);
    }

    @Test
    void aChangeMadeOnAnOlderVersionIsRefused() {
        aios = new PolicyHarness(dir, POLICY);
        aios.policy.setFlag("draft-quote", Optional.empty(), "shadow", "operator");

        assertThatThrownBy(() -> aios.policy.put(PolicyHarness.yaml("{}"), 1, "someone", ""))
                .isInstanceOf(dev.aios.kernel.ConflictException.class)
                .hasMessageContaining("now version 2");
    }

    @Test
    void aChangedSettingsFileBecomesANewVersionOnRestartAndApiChangesOtherwiseStay() {
        aios = new PolicyHarness(dir, POLICY);
        aios.policy.setFlag("draft-quote", Optional.empty(), "off", "operator");
        aios.close();

        aios = new PolicyHarness(dir, POLICY);
        assertThat(aios.policy.current().version()).isEqualTo(2);
        aios.close();

        aios = new PolicyHarness(dir, POLICY.replace("decide: block", "decide: approve"));
        assertThat(aios.policy.current().version()).isEqualTo(3);
        assertThat(aios.policy.current().author()).isEqualTo("aios.yaml");
    }

    @Test
    void aRateLimitHoldsTheNextStepUntilTheWindowHasRoom() {
        aios = new PolicyHarness(
                dir,
                "limits: [{agent: draft-quote, calls: 2, per: 1h}]\ngates: [{name: go, when: 'true', decide: auto}]");

        aios.completed(aios.lead("a", 10));
        aios.completed(aios.lead("b", 10));
        var third = aios.lead("c", 10);
        var waiting = Eventually.await(
                () -> aios.kernel.run(third), r -> r.steps().getFirst().status() == StepStatus.DEFERRED);
        aios.clock.advance(Duration.ofMinutes(61));
        aios.kernel.wake();

        assertThat(waiting.steps().getFirst().error()).get().asString().contains("draft-quote: at most 2 calls per 1h");
        assertThat(aios.completed(third).steps().getFirst().attempts().getLast().attempt())
                .isEqualTo(1);
    }

    static com.fasterxml.jackson.databind.JsonNode provenance(StepView step, String kind) {
        return step.provenance().stream()
                .filter(n -> n.path("kind").asText().equals(kind))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " note in " + step.provenance()))
                .path("detail");
    }
}
