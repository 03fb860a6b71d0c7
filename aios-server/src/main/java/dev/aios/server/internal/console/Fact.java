package dev.aios.server.internal.console;

/**
 * One labelled value on a page, e.g. {@code confidence: 0.62}.
 *
 * @param label what the value is
 * @param value the value, as text
 */
public record Fact(String label, String value) {}
