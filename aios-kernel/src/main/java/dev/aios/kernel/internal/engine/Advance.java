package dev.aios.kernel.internal.engine;

import dev.aios.api.Step;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunState;
import java.time.Instant;

/** Where a run goes after a step: the next step, due now, or the end. */
final class Advance {
    private Advance() {}

    static JournalEntry to(RunState state, CompiledPlaybook playbook, String next, Instant now) {
        if (next.equals(Step.END)) {
            return new RunCompleted();
        }
        int iteration = state.entered.getOrDefault(next, 0);
        return new StepScheduled(next, iteration, playbook.step(next).kind(), now);
    }
}
