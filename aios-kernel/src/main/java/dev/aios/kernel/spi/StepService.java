package dev.aios.kernel.spi;

/**
 * A service agents reach through {@link dev.aios.api.AgentContext#service}, opened once per step
 * attempt so it knows which run, step and subject it works for.
 */
public interface StepService<T> {

    /** The type agents ask for. */
    Class<T> type();

    /** The service for one attempt of one step. */
    T open(StepScope scope);
}
