package dev.aios.kernel;

/** Input that cannot be accepted as it is: malformed, missing a field, or violating a schema. */
public final class InvalidInputException extends AiosException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "invalid-input";
    }
}
