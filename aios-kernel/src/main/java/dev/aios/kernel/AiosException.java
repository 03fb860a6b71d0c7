package dev.aios.kernel;

/**
 * The root of the kernel's errors. Every message tells the user what happened and what to do; the
 * subclasses say which kind of failure it is so that callers (HTTP, CLI) can answer accordingly.
 */
public abstract sealed class AiosException extends RuntimeException
        permits NotFoundException, ConflictException, InvalidInputException, PlaybookException, StorageException {

    protected AiosException(String message) {
        super(message);
    }

    protected AiosException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A short machine-readable name of the kind of error, e.g. {@code not-found}. */
    public abstract String code();
}
