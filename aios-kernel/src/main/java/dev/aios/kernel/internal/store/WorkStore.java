package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The work queue: items that become due at a time, leased by one worker until the lease expires.
 * The items are derived (projected from the journal); the leases are coordination between workers
 * and are not journaled.
 */
public interface WorkStore {

    /**
     * An item of the queue.
     *
     * @param attempt attempts started so far (steps), or failed so far (undos)
     */
    record WorkItem(WorkKey key, WorkKind kind, Instant visibleAt, int attempt) {}

    /** Adds an item, not leased. */
    void add(WorkItem item);

    /** Adds an item, not leased, in place of any the step has. */
    void put(WorkItem item);

    /** Records that attempt {@code attempt} of the item started. */
    void started(WorkKey key, int attempt);

    /** Makes the item due again at {@code at}, free of its lease. */
    void dueAt(WorkKey key, Instant at);

    /** Makes the item due again at {@code at} with {@code attempt} attempts counted, free of its lease. */
    void dueAt(WorkKey key, Instant at, int attempt);

    /** Turns the item into one of {@code kind} due at {@code at}, free of its lease. */
    void change(WorkKey key, WorkKind kind, Instant at);

    /** Removes the item. */
    void remove(WorkKey key);

    /** Removes the item if it is of {@code kind}. */
    void remove(WorkKey key, WorkKind kind);

    /** Removes every item of the run. */
    void removeRun(String runId);

    /** Removes the run's items of the steps inside {@code scope} (a step path: {@code scope/...}). */
    void removeWithin(String runId, String scope);

    /**
     * Up to {@code max} items due at {@code now} that no one holds, the longest due first. A store
     * shared by several nodes locks them until the transaction ends and skips items another node
     * has locked, so each is handed to one worker only.
     */
    List<WorkItem> due(Instant now, int max);

    /**
     * {@link #due}, for a unit that takes an item on the way (a worker whose run ended, taking the
     * next): a store may answer it from what its writer knows without asking the database, and so
     * miss items that became due since it last looked (the dispatcher leases those), but never
     * names an item that is not due or that someone holds.
     */
    default List<WorkItem> dueLongest(Instant now, int max) {
        return due(now, max);
    }

    /**
     * The run's items due at {@code now} that no one holds, the longest due first; locked and
     * skipped like those of {@link #due(Instant, int)}.
     */
    List<WorkItem> due(String runId, Instant now);

    /** Leases the item to {@code owner} until {@code until}. */
    void lease(WorkKey key, String owner, Instant until);

    /** When the next item that no one holds becomes due, if there is one. */
    Optional<Instant> nextDue(Instant now);

    /** Whether {@code owner} still holds the item (it exists and was not taken over). */
    boolean holds(WorkKey key, String owner);

    /**
     * Extends {@code owner}'s lease of the item to {@code until}.
     *
     * @return false when the item is gone or was taken over
     */
    boolean extend(WorkKey key, String owner, Instant until);

    /** The queue at {@code at}: due and held by no one, held, and due later. */
    dev.aios.kernel.Overview.Queue queue(Instant at);

    /**
     * Frees the leases of workers that are gone: every lease whose owner is not of {@code node},
     * when the store is used by this node alone (it owns its data directory); on a store shared by
     * several nodes, the leases of nodes last seen alive before {@code silentSince} (see {@link
     * NodeStore}).
     *
     * @return how many leases were freed
     */
    int releaseAbandoned(String node, Instant silentSince);
}
