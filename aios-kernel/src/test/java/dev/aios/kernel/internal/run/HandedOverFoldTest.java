package dev.aios.kernel.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.AttemptOutcome;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A step scheduled and begun in the same write is one entry ({@link StepScheduled#handedTo}) where
 * journals written before had two: the run folds to the same state from either.
 */
class HandedOverFoldTest {
    static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");
    static final Instant LATER = NOW.plusMillis(7);

    @Test
    void aStepScheduledAndBegunInOneEntryFoldsAsTheTwoEntriesDid() {
        var trigger = Json.object().put("type", "lead.received");
        var started = new RunStarted("relay", "1", "acme", trigger);
        var done = new StepCompleted("a", 0, Json.object(), Json.object().put("ok", true), Optional.empty(), "b");

        var two = fold(
                new At(started, NOW),
                new At(new StepScheduled("a", 0, StepKind.AGENT, NOW), NOW),
                new At(new StepStarted("a", 0, 1, "node-1", true), NOW),
                new At(done, LATER),
                new At(new StepScheduled("b", 0, StepKind.AGENT, LATER), LATER),
                new At(new StepStarted("b", 0, 1, "node-1", true), LATER));
        var one = fold(
                new At(started, NOW),
                new At(new StepScheduled("a", 0, StepKind.AGENT, NOW).handedTo("node-1"), NOW),
                new At(done, LATER),
                new At(new StepScheduled("b", 0, StepKind.AGENT, LATER).handedTo("node-1"), LATER));

        var step = one.records.get("b");
        assertThat(step.status).isEqualTo(StepStatus.RUNNING);
        assertThat(step.attempts).singleElement().satisfies(attempt -> {
            assertThat(attempt.attempt).isEqualTo(1);
            assertThat(attempt.handedOver).isTrue();
            assertThat(attempt.outcome).isEqualTo(AttemptOutcome.RUNNING);
            assertThat(attempt.startedAt).isEqualTo(LATER);
        });
        assertThat(Json.tree(one)).isEqualTo(Json.tree(two));
    }

    @Test
    void theOneEntryKeepsTheStepAndSaysWhoBeganIt() throws Exception {
        var handed = new StepScheduled("b", 2, StepKind.AGENT, NOW).handedTo("node-1");
        var json = Json.mapper().readTree(Json.bytes(handed));

        assertThat(json.path("handedTo").asText()).isEqualTo("node-1");
        assertThat(handed.started()).contains(new StepStarted("b", 2, 1, "node-1", true));
        // An entry written before the two were one has no such field, and nobody began it.
        var waiting = Json.mapper()
                .readValue(
                        "{\"step\":\"b\",\"iteration\":2,\"kind\":\"agent\",\"visibleAt\":\"" + NOW + "\"}",
                        StepScheduled.class);
        assertThat(waiting).isEqualTo(new StepScheduled("b", 2, StepKind.AGENT, NOW));
        assertThat(waiting.started()).isEmpty();
        assertThat(Json.mapper().readTree(Json.bytes(waiting)).has("handedTo")).isFalse();
    }

    record At(JournalEntry entry, Instant at) {}

    /** Folds the entries, each at its time; the journal's positions and checksums aside. */
    private static RunState fold(At... entries) {
        var state = RunFold.empty("r-1");
        for (var entry : entries) {
            RunFold.apply(state, entry.entry(), entry.at());
        }
        return state;
    }
}
