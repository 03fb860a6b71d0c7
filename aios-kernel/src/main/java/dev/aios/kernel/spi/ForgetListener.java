package dev.aios.kernel.spi;

/** Hears that a subject was forgotten. */
@FunctionalInterface
public interface ForgetListener {
    void forgotten(String subject);
}
