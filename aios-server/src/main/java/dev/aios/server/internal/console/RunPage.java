package dev.aios.server.internal.console;

import dev.aios.kernel.ChainReport;
import dev.aios.kernel.ReplayReport;
import dev.aios.kernel.RunView;
import java.util.List;
import java.util.Optional;

/**
 * One run: its graph with the path taken, its steps, its journal as a timeline, the checksum chain
 * checked, and what the operator may do now.
 *
 * @param frame the page's frame
 * @param run the run
 * @param graph the playbook's steps as SVG, with the run's path; "" when the version is not loaded
 * @param timeline the journal entries shown, oldest first
 * @param moreAfter the last entry shown, when the journal goes on beyond it
 * @param chain the recomputed checksum chain
 * @param replay the result of a replay the operator asked for, if any
 * @param cost what the run's model calls cost so far, in US dollars
 * @param duration how long the run has taken, e.g. {@code 3 min}
 */
public record RunPage(
        Frame frame,
        RunView run,
        String graph,
        List<Moment> timeline,
        Optional<Long> moreAfter,
        ChainReport chain,
        Optional<ReplayReport> replay,
        String cost,
        String duration) {

    /** Whether the run can still be cancelled. */
    public boolean cancellable() {
        return !run.status().isFinal() && run.status() != dev.aios.kernel.RunStatus.COMPENSATING;
    }
}
