package dev.aios.api;

/**
 * Thrown by an agent when trying again cannot help, e.g. its input is unusable: the step is not
 * retried but goes straight to the operator's inbox with this message.
 */
public class PermanentFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PermanentFailure(String message) {
        super(message);
    }

    public PermanentFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
