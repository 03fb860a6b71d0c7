package dev.aios.kernel;

/** The database could not record or read something; nothing was half-written. */
public final class StorageException extends AiosException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "storage";
    }
}
