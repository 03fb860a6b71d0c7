package dev.aios.kernel.internal.keyring;

/** The OS keyring could not be reached or refused what was asked; the message says what to do. */
public final class KeyringException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyringException(String message, Throwable cause) {
        super(message, cause);
    }
}
