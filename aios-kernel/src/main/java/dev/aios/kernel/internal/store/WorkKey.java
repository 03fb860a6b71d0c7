package dev.aios.kernel.internal.store;

/** One iteration of one step of a run: what a work item, an await or a receipt belongs to. */
public record WorkKey(String runId, String step, int iteration) {}
