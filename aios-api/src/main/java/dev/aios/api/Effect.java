package dev.aios.api;

/**
 * An external effect, such as charging a card or sending an email, performed through {@link
 * AgentContext#effect}. It receives a key that is the same on every attempt of the step: pass it to
 * the outside system as its idempotency key, so that a repeated request is applied once.
 *
 * @param <R> what the effect returns; recorded in the step's receipt
 */
@FunctionalInterface
public interface Effect<R> {

    /** Performs the effect. */
    R perform(String idempotencyKey) throws Exception;
}
