package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One transaction of a {@link Store}, seen through the domain: the journal and event log, the
 * derived state they project to, the subject keys and the playbook versions. Everything done
 * through one {@code Tx} commits together or not at all.
 */
public interface Tx {

    /** The runs' journals. */
    JournalStore journal();

    /** The event log. */
    EventStore events();

    /** The runs' folded states. */
    RunStore runs();

    /** Periodic copies of long runs' states. */
    SnapshotStore snapshots();

    /** Steps due, timers and await timeouts, and who holds them. */
    WorkStore work();

    /** Runs waiting for an event. */
    AwaitStore awaits();

    /** The items of forEach steps in progress. */
    LoopStore loops();

    /**
     * Drops what a completed step leaves: its work item, its wait for an event and the items of the
     * forEach it held. A store may do it in one statement.
     */
    default void stepCompleted(WorkKey key) {
        work().remove(key);
        awaits().remove(key);
        loops().remove(key.runId(), key.step());
    }

    /**
     * Drops what an ended run leaves: its work items, the items of its forEach steps and its waits
     * for events, and cancels its open tasks with {@code resolution}. A store may do it in one
     * statement.
     */
    default void runEnded(String runId, Instant at, JsonNode resolution) {
        work().removeRun(runId);
        loops().removeRun(runId);
        awaits().removeRun(runId);
        tasks().cancelOpen(runId, at, resolution);
    }

    /** Stateful agents' instances and their mailboxes. */
    InstanceStore instances();

    /** The operator's inbox. */
    TaskStore tasks();

    /** Results of external effects, by idempotency key. */
    ReceiptStore receipts();

    /** Per-subject encryption keys. */
    KeyStore keys();

    /** Every playbook version seen, and which are active. */
    PlaybookStore playbooks();

    /** Aggregates for the operator's reports. */
    ReportStore reports();

    /** The audit log of operator and admin actions. */
    AuditStore audit();

    /** API tokens. */
    ApiTokenStore tokens();

    /** Named secrets, sealed by the master key. */
    SecretValueStore secrets();

    /** The nodes working on the store. */
    NodeStore nodes();

    /** The derived state as a whole, for verification and rebuilding. */
    DerivedState derived();

    /**
     * This transaction as extensions see it: statements on their own tables, committed with everything
     * done through this {@code Tx}.
     */
    dev.aios.kernel.spi.Handle handle();

    /**
     * Runs {@code action} once this transaction has committed and is durable (not if it rolls back):
     * what tells anyone outside the writer of the change (a caller, a worker, a listener) goes here.
     * Where the store makes commits durable apart from committing them (SQLite's log synced while
     * the next transaction runs), it runs on another thread, after later transactions may have begun.
     */
    void afterCommit(Runnable action);

    /**
     * Runs {@code action} on the writer's thread as soon as this transaction commits, before the next
     * one begins (not if it rolls back): for what the writer keeps in memory about the data, which
     * follows what is committed even before it is durable (a crash loses both together).
     */
    void onCommit(Runnable action);

    /** Runs {@code action} if the unit of work that registered it is rolled back. */
    void onRollback(Runnable action);
}
