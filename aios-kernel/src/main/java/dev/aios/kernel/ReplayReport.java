package dev.aios.kernel;

import java.util.List;

/**
 * The result of re-folding one run's journal and comparing it with the run's stored state.
 *
 * @param runId the run
 * @param entries journal entries folded
 * @param fromSnapshot the entry the replay started after (0 when it folded from the first entry)
 * @param divergences where the fold and the stored state differ, one line each; empty when equal
 */
public record ReplayReport(String runId, long entries, long fromSnapshot, List<String> divergences) {
    public ReplayReport {
        divergences = List.copyOf(divergences);
    }

    /** Whether the stored state is exactly the fold of the journal. */
    public boolean matches() {
        return divergences.isEmpty();
    }
}
