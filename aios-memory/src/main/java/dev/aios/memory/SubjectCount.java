package dev.aios.memory;

/**
 * A subject memory holds items about.
 *
 * @param subject the subject, e.g. a customer
 * @param items memory items about it (knowledge records aside)
 * @param pinned how many of them are pinned (kept whatever retention says)
 */
public record SubjectCount(String subject, long items, long pinned) {}
