package dev.aios.kernel.internal.store;

import dev.aios.kernel.NodeInfo;
import java.time.Instant;
import java.util.List;

/**
 * The nodes working on the store: each says every few seconds that it is alive. Coordination, like
 * a lease: not journaled.
 */
public interface NodeStore {

    /** Records that {@code node}, started at {@code startedAt}, is alive at {@code at}. */
    void seen(String node, Instant startedAt, Instant at);

    /** The nodes seen at or after {@code since}, by name, with the work each holds at {@code now}. */
    List<NodeInfo> seenSince(Instant since, Instant now);

    /**
     * Forgets the nodes last seen before {@code before}.
     *
     * @return how many were forgotten
     */
    int forgetBefore(Instant before);

    /** Forgets {@code node}, which stopped cleanly. */
    void left(String node);
}
