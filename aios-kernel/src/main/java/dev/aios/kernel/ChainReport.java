package dev.aios.kernel;

import java.util.List;

/**
 * The result of recomputing one run's checksum chain.
 *
 * @param runId the run
 * @param entries journal entries checked
 * @param lastChecksum the checksum of the newest entry
 * @param problems entries missing or altered, one line each; empty when the chain is intact
 */
public record ChainReport(String runId, long entries, String lastChecksum, List<String> problems) {
    public ChainReport {
        problems = List.copyOf(problems);
    }

    /** Whether every entry matches its checksum and none is missing. */
    public boolean intact() {
        return problems.isEmpty();
    }
}
