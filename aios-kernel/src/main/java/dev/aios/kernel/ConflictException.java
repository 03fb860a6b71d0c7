package dev.aios.kernel;

/** A request that contradicts the current state, e.g. approving a task that is already approved. */
public final class ConflictException extends AiosException {
    public ConflictException(String message) {
        super(message);
    }

    @Override
    public String code() {
        return "conflict";
    }
}
