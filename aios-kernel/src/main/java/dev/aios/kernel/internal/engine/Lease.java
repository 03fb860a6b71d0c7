package dev.aios.kernel.internal.engine;

import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkKind;
import java.time.Instant;

/**
 * A work item held by this node until {@code until}.
 *
 * @param runId the run
 * @param step the step
 * @param iteration the step's iteration
 * @param kind what the item is for
 * @param attempt the attempt number of a {@code step} item, starting at 1
 * @param owner this lease's owner token
 * @param until when the lease expires
 */
record Lease(String runId, String step, int iteration, WorkKind kind, int attempt, String owner, Instant until) {

    /** The item held. */
    WorkKey key() {
        return new WorkKey(runId, step, iteration);
    }
}
