package dev.aios.kernel.spi;

import java.util.Optional;

/** May refuse to forget a subject, e.g. while it is under legal hold. */
@FunctionalInterface
public interface ForgetGuard {

    /** Why {@code subject} must not be forgotten now, or empty to let it be forgotten. */
    Optional<String> refuse(String subject);
}
