package dev.aios.kernel.internal.engine;

import java.time.Instant;

/** Thrown inside a step when it cannot go on now (a breaker is open, a limit reached): try at {@code until}. */
final class Deferral extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Instant until;

    Deferral(String reason, Instant until) {
        super(reason, null, false, false);
        this.until = until;
    }

    Instant until() {
        return until;
    }
}
