package dev.aios.api;

/**
 * Thrown by {@link Models#complete} when no provider model is configured for the requested class.
 * It is a {@link PermanentFailure}: configuring a provider, not retrying, fixes it.
 */
public class ModelUnavailable extends PermanentFailure {
    private static final long serialVersionUID = 1L;

    public ModelUnavailable(String message) {
        super(message);
    }
}
