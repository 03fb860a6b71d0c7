package dev.aios.kernel.internal.engine;

import java.time.Instant;

/**
 * Thrown inside a step when it cannot go on now (a breaker is open, a limit reached): try at {@code
 * until}. {@code cause} names why in a word, shown with the step: {@code breaker}, {@code rate-limit}.
 */
final class Deferral extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Instant until;
    private final String cause;

    Deferral(String cause, String reason, Instant until) {
        super(reason, null, false, false);
        this.cause = cause;
        this.until = until;
    }

    Instant until() {
        return until;
    }

    String why() {
        return cause;
    }
}
