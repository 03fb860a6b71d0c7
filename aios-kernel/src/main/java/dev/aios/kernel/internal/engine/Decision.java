package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What a decider ({@link StepOutcomes}, {@link Answers}) produced: the journal entries to append,
 * and what follows them. What follows depends on the run as those entries leave it (which branch or
 * iteration just ended, how many undos are done), so it is worked out once they are appended.
 */
record Decision(List<JournalEntry> entries, Then then) {

    Decision {
        entries = List.copyOf(entries);
    }

    /** What follows the entries of a decision. */
    sealed interface Then {}

    /** Nothing follows: the entries say all (a task opened, a retry due, the run ended). */
    record Stop() implements Then {}

    /** Step {@code from} ended: go on at {@code next}, or end its branch, iteration or the run. */
    record GoOn(String from, String next) implements Then {}

    /** The undo of {@code step} at {@code iteration} finished: the next undo, or the end. */
    record UndoNext(String step, int iteration) implements Then {}

    static final Then STOP = new Stop();

    /** Collects a decision. */
    static final class Builder {
        private final List<JournalEntry> entries = new ArrayList<>();
        private Then then = STOP;

        void add(JournalEntry entry) {
            entries.add(entry);
        }

        void addAll(List<? extends JournalEntry> more) {
            entries.addAll(more);
        }

        void then(Then then) {
            this.then = then;
        }

        Decision build() {
            return new Decision(entries, then);
        }
    }
}
