package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Steps of runs waiting for an event. Each remembers up to which event of its type it was checked
 * against its match condition (which runs outside the store): the events after that are still to
 * be matched. How far a step was checked is coordination, like a lease, and is not journaled.
 */
public interface AwaitStore {

    /** A step waiting for events of {@code eventType}, checked against them up to event {@code checked}. */
    record Waiting(WorkKey key, String eventType, long checked) {}

    /**
     * The step waits for events of {@code eventType} about {@code subject} until {@code timeoutAt};
     * the events after {@code checkedFrom} are to be matched.
     */
    void add(WorkKey key, String eventType, String subject, Instant timeoutAt, long checkedFrom);

    /** The step stopped waiting. */
    void remove(WorkKey key);

    /** No step of the run waits any more. */
    void removeRun(String runId);

    /** No step of the run inside {@code scope} (a step path: {@code scope/...}) waits any more. */
    void removeWithin(String runId, String scope);

    /** How many steps wait. */
    long count();

    /** The step, if it waits. */
    Optional<Waiting> find(WorkKey key);

    /** The steps waiting for events of {@code eventType}, by run id. */
    List<Waiting> waitingFor(String eventType);

    /**
     * Tells {@code answer} whether a step waits for events of {@code eventType}, as of this point of
     * the transaction or later in it: at once, or, in a writer that sends statements together, with
     * the statements after it, so only if the transaction writes something after asking (and then
     * maybe after them, seeing waits they add or remove: a hint, since the look for waits behind
     * finds any wait it misses).
     */
    void whetherWaitingFor(String eventType, java.util.function.Consumer<Boolean> answer);

    /** Up to {@code limit} waiting steps with events of their type they were not checked against. */
    List<Waiting> behind(int limit);

    /** Whether the step has events of its type it was not checked against. */
    boolean behind(WorkKey key);

    /** Records the step checked against the events of its type up to {@code upTo}. */
    void checked(WorkKey key, long upTo);
}
