package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.Eventually;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every answer is data: outcome, change, reason and the operator's time, per agent, rule and segment. */
class LearningTest {
    static final String POLICY = """
            segments:
              new-clients: "record.?projects.orValue(0) == 0"
            gates:
              - { name: review-quotes, when: "agent == 'draft-quote'", decide: approve }
            """;

    @TempDir
    Path dir;

    MemoryExtension memory;
    PolicyHarness aios;

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.from(PolicyHarness.yaml("embeddings: { provider: none }")));
        aios = new PolicyHarness(dir, POLICY, b -> b.memory(() -> Optional.of(memory.memory())), memory);
    }

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    com.fasterxml.jackson.databind.JsonNode stats() {
        aios.policy.settle();
        return aios.policy.answers(Duration.ofDays(30));
    }

    @Test
    void approvalsEditsAndRejectionsAreKeptWithTheOperatorsTime() {
        var unchanged = aios.openTask(aios.lead("newco", 100)).orElseThrow();
        aios.policy.viewed(unchanged.id());
        aios.clock.advance(Duration.ofMinutes(3));
        aios.kernel.approve(unchanged.id(), Optional.empty(), "");

        var edited = aios.openTask(aios.lead("other", 200)).orElseThrow();
        aios.policy.viewed(edited.id());
        aios.clock.advance(Duration.ofMinutes(7));
        aios.kernel.approve(
                edited.id(),
                Optional.of(PolicyHarness.yaml("{text: 'A quote for Other Ltd', amount: 200, confidence: 0.92}")),
                "");

        var rejected = aios.openTask(aios.lead("third", 300)).orElseThrow();
        aios.kernel.reject(rejected.id(), "they are not a client of ours");

        var line = Eventually.await(
                        this::stats,
                        s -> s.size() == 1 && s.get(0).path("answers").asInt() == 3)
                .get(0);
        assertThat(line.path("agent").asText()).isEqualTo("draft-quote");
        assertThat(line.path("rule").asText()).isEqualTo("gate review-quotes");
        assertThat(line.path("segments").get(0).asText()).isEqualTo("new-clients");
        assertThat(line.path("unchanged").asInt()).isEqualTo(1);
        assertThat(line.path("edited").asInt()).isEqualTo(1);
        assertThat(line.path("rejected").asInt()).isEqualTo(1);
        assertThat(line.path("medianOperatorSeconds").asDouble()).isEqualTo(420.0);
    }

    @Test
    void anEditedOutputIsRememberedAsAnExampleWithItsInputAndChange() {
        var task = aios.openTask(aios.lead("acme", 500)).orElseThrow();
        aios.kernel.approve(
                task.id(),
                Optional.of(PolicyHarness.yaml("{text: 'Quote for ACME Corp.', amount: 500, confidence: 0.92}")),
                "use the full company name");

        var example = Eventually.await(
                        () -> {
                            aios.policy.settle();
                            return memory.memory()
                                    .recall(MemoryQuery.of("correction draft-quote")
                                            .withKinds(MemoryKind.NOTE)
                                            .withSubject("acme"));
                        },
                        recall -> !recall.items().isEmpty())
                .items()
                .getFirst();

        assertThat(example.metadata().path("about").asText()).isEqualTo("correction");
        assertThat(example.metadata().path("agent").asText()).isEqualTo("draft-quote");
        assertThat(example.metadata().path("input").path("company").asText()).isEqualTo("acme");
        assertThat(example.metadata().path("output").path("text").asText()).isEqualTo("Quote for ACME Corp.");
        assertThat(example.text())
                .contains("/text: \"Quote for acme\" -> \"Quote for ACME Corp.\"")
                .contains("Why: use the full company name");
    }

    @Test
    void outputsTheTasksNeverSawCountAsCommittedOnTheirOwn() {
        aios.policy.put(PolicyHarness.yaml("gates: [{name: go, when: 'true', decide: auto}]"), 1, "operator", "");
        var run = aios.completed(aios.lead("acme", 100));

        aios.policy.settle();

        assertThat(stats()).isEmpty();
        assertThat(run.steps().getFirst().provenance().toString()).contains("\"decision\":\"auto\"");
    }

    @Test
    void forgettingTheSubjectLeavesItsNameInNoFileOfTheDataDirectory() throws Exception {
        String address = "ada.lovelace@acme.test";
        var task = aios.openTask(aios.lead(address, 500)).orElseThrow();
        aios.policy.viewed(task.id());
        aios.kernel.approve(
                task.id(),
                Optional.of(PolicyHarness.yaml("{text: 'Quote for Ada', amount: 500, confidence: 0.92}")),
                "friendlier");
        Eventually.await(
                this::stats, s -> s.size() == 1 && s.get(0).path("answers").asInt() == 1);
        aios.kernel.approve(aios.openTask(aios.lead("bolt", 100)).orElseThrow().id(), Optional.empty(), "");
        Eventually.await(
                this::stats, s -> s.size() == 1 && s.get(0).path("answers").asInt() == 2);

        var report = aios.kernel.forget(address);
        assertThat(report.pseudonym()).startsWith("forgotten:");
        aios.policy.settle();
        assertThat(memory.settle(Duration.ofSeconds(60))).isTrue();

        // The policy's statistics still count the answer, under the pseudonym.
        assertThat(stats().get(0).path("answers").asInt()).isEqualTo(2);
        assertThat(aios.kernel.verify().problems()).isEmpty();
        aios.close();
        try (var files = java.nio.file.Files.walk(dir.resolve("data"))) {
            for (var file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                String bytes = new String(
                        java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes.contains("ada.lovelace"))
                        .as(file + " holds the forgotten address")
                        .isFalse();
            }
        }
        aios = null;
    }

    private long rows(String table) throws Exception {
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/aios.db"));
                var result = db.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            return result.getLong(1);
        }
    }

    @Test
    void decisionsAnswersAndViewsOlderThanTheKeepAreDeletedWhileRecentOnesStay() throws Exception {
        var old = aios.openTask(aios.lead("newco", 100)).orElseThrow();
        aios.policy.viewed(old.id());
        aios.clock.advance(Duration.ofMinutes(2));
        aios.kernel.approve(old.id(), Optional.empty(), "");
        var shownNeverAnswered = aios.openTask(aios.lead("other", 200)).orElseThrow();
        aios.policy.viewed(shownNeverAnswered.id());
        Eventually.await(
                this::stats, s -> s.size() == 1 && s.get(0).path("answers").asInt() == 1);
        assertThat(rows("policy_decisions")).isEqualTo(2);
        assertThat(rows("policy_views")).as("a view is folded into its answer").isEqualTo(1);

        // A year and a bit later (the default keep is 365 days), the next work prunes what is older.
        aios.clock.advance(Duration.ofDays(366));
        var recent = aios.openTask(aios.lead("third", 300)).orElseThrow();
        aios.kernel.approve(recent.id(), Optional.empty(), "");
        var all = Eventually.await(
                () -> {
                    aios.policy.settle();
                    return aios.policy.answers(Duration.ofDays(10_000));
                },
                s -> s.size() == 1 && s.get(0).path("answers").asInt() == 1);
        assertThat(all.get(0).path("answers").asInt())
                .as("only the recent answer is left")
                .isEqualTo(1);
        assertThat(rows("policy_decisions")).isEqualTo(1);
        assertThat(rows("policy_views")).isZero();
        assertThat(rows("policy_runs")).as("a run that ended is forgotten").isLessThanOrEqualTo(1);
    }
}
