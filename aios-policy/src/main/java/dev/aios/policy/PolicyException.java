package dev.aios.policy;

/**
 * A policy that cannot be used as written, or a policy operation that cannot be done; the message
 * says where and what to write instead. Nothing was changed.
 */
public final class PolicyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }
}
