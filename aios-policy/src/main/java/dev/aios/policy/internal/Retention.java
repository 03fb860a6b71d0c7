package dev.aios.policy.internal;

import dev.aios.kernel.spi.Storage;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the policy keeps per step and task is kept for {@code learning.keep} (365 days by default):
 * older decisions, answered tasks' answers and views of tasks are deleted once a day. Learning only
 * looks back {@code learning.window}, which the keep must cover; the runs themselves stay in the
 * journal.
 */
final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private Retention() {}

    /** Deletes what the policy kept per run before {@code before}; returns how many rows. */
    static int prune(Storage storage, Instant before) {
        int deleted = storage.write(c -> Sql.update(c, "DELETE FROM policy_decisions WHERE at < ?", before)
                + Sql.update(c, "DELETE FROM policy_answers WHERE answered_at IS NOT NULL AND answered_at < ?", before)
                + Sql.update(c, "DELETE FROM policy_views WHERE at < ?", before));
        if (deleted > 0) {
            LOG.info("deleted {} policy decisions, answers and task views from before {}", deleted, before);
        }
        return deleted;
    }
}
