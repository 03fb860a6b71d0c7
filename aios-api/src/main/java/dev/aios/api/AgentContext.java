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

    /**
     * Performs an external effect once. The first time, {@code action} runs with this effect's
     * idempotency key (the step's key plus {@code name}) and its result is recorded as a receipt
     * before the step goes on; if the step runs again (after a crash or a retry), the recorded
     * result is returned and {@code action} does not run again.
     *
     * <p>{@code name} is the connector, optionally with an action: {@code payments} or {@code
     * payments:charge}. The connector must be among the contract's declared effects. Its circuit
     * breaker and rate limit apply: while the breaker is open, the step waits without using up an
     * attempt.
     *
     * @param name the effect's name, unique within the step (repeat it for several effects of one
     *     connector and each gets its own key)
     * @param resultType the type of the result, recorded as JSON
     * @param action the effect
     * @return the result, performed now or recorded before
     */
    <R> R effect(String name, Class<R> resultType, Effect<R> action) throws Exception;

    /**
     * Tells the kernel this long step is still alive. A step whose options declare a heartbeat
     * timeout must call it more often than that; if it stops, the attempt counts as lost and the
     * step runs again. Calling it when no heartbeat is declared is harmless.
     *
     * @throws IllegalStateException when this attempt has been taken over and should stop
     */
    void heartbeat();

    /**
     * Calls another agent as a tool: its input and output are checked against its contract, and
     * the call is recorded like an effect, so a step that runs again gets the recorded output
     * instead of calling the agent again.
     *
     * @param agent the agent's name
     * @param input its input
     * @return its output
     */
    com.fasterxml.jackson.databind.JsonNode call(String agent, com.fasterxml.jackson.databind.JsonNode input)
            throws Exception;

    /**
     * A service plugged into the kernel for steps, such as memory or the model gateway.
     *
     * @throws IllegalStateException when no such service is configured
     */
    <T> T service(Class<T> type);

    /**
     * The model gateway: a shortcut for {@code service(Models.class)}.
     *
     * @throws IllegalStateException when no model gateway is plugged into the kernel
     */
    default Models model() {
        return service(Models.class);
    }

    /**
     * Memory across runs: remember, recall, knowledge records. Empty when aios runs without the
     * memory module.
     */
    default java.util.Optional<Memory> memory() {
        try {
            return java.util.Optional.of(service(Memory.class));
        } catch (IllegalStateException e) {
            return java.util.Optional.empty();
        }
    }

    /** The state of stateful agents' instances, to consult (e.g. a client's history). */
    default Instances instances() {
        return service(Instances.class);
    }

    /**
     * Adds to the step's provenance, journaled with its outcome and shown with the step: what the
     * agent used to decide (a model call, a document, a rule). Contexts outside a run ignore it.
     *
     * @param kind a short name, e.g. {@code model}
     * @param detail what was used
     */
    default void note(String kind, com.fasterxml.jackson.databind.JsonNode detail) {}

    /**
     * Sends this stateful agent's instance a message to itself, handled after {@code delay} has passed
     * (after the messages already due then): a durable timer, kept across restarts and dropped when
     * the subject is forgotten. It is sent once the current message's handling is saved; a handling
     * that runs again after a crash sends it once.
     *
     * @param delay how long from now
     * @param message the message, a JSON object
     * @throws UnsupportedOperationException outside a stateful agent's handling of a message
     */
    default void later(java.time.Duration delay, com.fasterxml.jackson.databind.JsonNode message) {
        throw new UnsupportedOperationException(
                "only a stateful agent handling a message can send itself a message later;"
                        + " mark the agent Stateful and address it with a send step");
    }

    /**
     * Ends this stateful agent's instance once the current message's handling is saved: its output
     * is the instance's final state, kept with its history (shown by {@code aios agent show}) until
     * the subject is forgotten. Messages still in its mailbox, those sent later with {@link #later},
     * and any sent to it afterwards are not handled: they are kept as {@code dropped}. Forgetting the
     * subject clears the instance, so a later message starts a new one.
     *
     * @throws UnsupportedOperationException outside a stateful agent's handling of a message
     */
    default void end() {
        throw new UnsupportedOperationException("only a stateful agent handling a message can end its instance;"
                + " mark the agent Stateful and address it with a send step");
    }

    /** Now, by {@link #clock()}. */
    default Instant now() {
        return clock().instant();
    }
}
