package dev.aios.kernel;

import java.util.List;

/**
 * The result of checking a data directory: every run's checksum chain, and the derived tables
 * against a fold of the journal.
 *
 * @param runs runs checked
 * @param entries journal entries checked
 * @param problems what does not match, one line each; empty when all is well
 */
public record VerifyReport(long runs, long entries, List<String> problems) {
    public VerifyReport {
        problems = List.copyOf(problems);
    }

    /** Whether nothing is wrong. */
    public boolean ok() {
        return problems.isEmpty();
    }
}
