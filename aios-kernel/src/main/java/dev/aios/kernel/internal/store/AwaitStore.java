package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;

/** Steps of runs waiting for an event. */
public interface AwaitStore {

    /** The step waits for events of {@code eventType} about {@code subject} until {@code timeoutAt}. */
    void add(WorkKey key, String eventType, String subject, Instant timeoutAt);

    /** The step stopped waiting. */
    void remove(WorkKey key);

    /** No step of the run waits any more. */
    void removeRun(String runId);

    /** The steps waiting for events of {@code eventType}, by run id. */
    List<WorkKey> waitingFor(String eventType);
}
