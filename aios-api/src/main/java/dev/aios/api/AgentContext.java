package dev.aios.api;

import java.time.Instant;
import java.time.InstantSource;

/** What an agent knows about the step it is running for. */
public interface AgentContext {

    /** The run this step belongs to. */
    String runId();

    /** The step's id in its playbook. */
    String stepId();

    /** How many times this step was entered before in this run (0 the first time). */
    int iteration();

    /** Which attempt this is, starting at 1. */
    int attempt();

    /** The subject of the run (the customer, project, … it is about). */
    String subject();

    /** The playbook and version the run is pinned to. */
    PlaybookRef playbook();

    /**
     * A key that is the same for every attempt of this step (run, step, iteration) and different
     * for every other step: pass it to any external system that deduplicates requests.
     */
    String idempotencyKey();

    /** The kernel's clock; use it instead of the system clock so tests can control time. */
    InstantSource clock();

    /** Now, by {@link #clock()}. */
    default Instant now() {
        return clock().instant();
    }
}
