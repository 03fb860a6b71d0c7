package dev.aios.kernel;

/**
 * The result of recomputing the derived tables from the journal.
 *
 * @param runs runs rebuilt
 * @param entries journal entries replayed
 * @param changedRows derived rows that differed from the ones replaced (0 when they were intact)
 */
public record RebuildReport(long runs, long entries, long changedRows) {}
