package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One entry of a run's journal as stored.
 *
 * @param runId the run
 * @param seq 1 for the first entry, contiguous
 * @param type the entry's type, e.g. {@code StepCompleted}
 * @param at when it was appended
 * @param data the entry's content
 * @param checksum the chained checksum over this entry and the one before
 */
public record JournalRecord(String runId, long seq, String type, Instant at, JsonNode data, String checksum) {}
