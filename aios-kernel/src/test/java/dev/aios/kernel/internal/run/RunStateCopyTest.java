package dev.aios.kernel.internal.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesStarted;
import dev.aios.kernel.internal.journal.JournalEntry.ChildStarted;
import dev.aios.kernel.internal.journal.JournalEntry.EffectRecorded;
import dev.aios.kernel.internal.journal.JournalEntry.ItemsListed;
import dev.aios.kernel.internal.journal.JournalEntry.IterationEnded;
import dev.aios.kernel.internal.journal.JournalEntry.IterationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.RunCalled;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A copy of a run's state, which a worker going on with the run's next step holds while the
 * writer folds more entries into the original: the same state, and one that folding leaves alone.
 */
class RunStateCopyTest {
    static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

    /** A run in the middle of a parallel step, one branch of which is in a forEach. */
    static RunState midway() {
        var state = new RunState();
        state.id = "r-1";
        var trigger = Json.object().put("type", "big.order");
        trigger.putObject("data").putArray("lines").add(1).add(2);
        fold(
                state,
                new RunStarted("big-order", "1", "acme", trigger),
                new RunCalled("r-0", "orders", 0, 1),
                new StepScheduled("checkout", 0, StepKind.CALL, NOW),
                new StepStarted("checkout", 0, 1, "node-1", false),
                new ChildStarted("checkout", 0, "r-2", "checkout", "1", true),
                new StepCompleted(
                        "checkout", 0, Json.object(), Json.object().put("paid", true), Optional.empty(), "lines"),
                new StepScheduled("lines", 0, StepKind.PARALLEL, NOW),
                new StepStarted("lines", 0, 1, "node-1", false),
                new BranchesStarted("lines", 0, List.of("deposit", "each")),
                new StepScheduled("lines/deposit/charge", 0, StepKind.AGENT, NOW),
                new StepStarted("lines/deposit/charge", 0, 1, "node-1", true),
                new StepFailed("lines/deposit/charge", 0, 1, Json.object(), "glitch", Optional.of(NOW)),
                new StepStarted("lines/deposit/charge", 0, 2, "node-1", false),
                new EffectRecorded(
                        "lines/deposit/charge",
                        0,
                        "payments:charge",
                        "k-1",
                        Json.object().put("id", "ch_1")),
                new StepScheduled("lines/each/items", 0, StepKind.FOR_EACH, NOW),
                new StepStarted("lines/each/items", 0, 1, "node-1", true),
                new ItemsListed("lines/each/items", 0, List.<JsonNode>of(Json.tree(1), Json.tree(2))),
                new IterationStarted("lines/each/items", 0, 0, Json.tree(1)),
                new StepScheduled("lines/each/items[0]/bill", 0, StepKind.AGENT, NOW),
                new StepStarted("lines/each/items[0]/bill", 0, 1, "node-1", true));
        return state;
    }

    @Test
    void aCopyIsTheSameStateAndFoldingTheOriginalLeavesItAsItWas() {
        var state = midway();
        var before = Json.tree(state);

        var copy = state.copy();
        assertThat(Json.tree(copy)).isEqualTo(before);

        fold(
                state,
                new StepCompleted(
                        "lines/each/items[0]/bill",
                        0,
                        Json.object(),
                        Json.object().put("charge", "ch_2"),
                        Optional.empty(),
                        "end"),
                new IterationEnded("lines/each/items", 0, 0, Json.object().put("bill", "ch_2")),
                new IterationStarted("lines/each/items", 0, 1, Json.tree(2)),
                new StepScheduled("lines/each/items[1]/bill", 0, StepKind.AGENT, NOW),
                new StepStarted("lines/each/items[1]/bill", 0, 1, "node-1", true),
                new StepCompleted(
                        "lines/deposit/charge",
                        0,
                        Json.object(),
                        Json.object().put("charge", "ch_1"),
                        Optional.empty(),
                        "end"));
        assertThat(Json.tree(state)).isNotEqualTo(before);

        assertThat(Json.tree(copy)).as("the copy after the original moved on").isEqualTo(before);
    }

    private static void fold(RunState state, JournalEntry... entries) {
        for (var entry : entries) {
            RunFold.apply(state, entry, NOW);
            state.seq++;
        }
    }
}
