package dev.aios.kernel.internal.store;

import java.time.Instant;

/**
 * A journal entry as stored: its payload encoded (and possibly encrypted) by a codec, its checksum
 * chained to the entry before it.
 *
 * @param runId the run
 * @param seq 1 for the run's first entry, contiguous
 * @param type the entry type's stored name
 * @param at when it was appended (millisecond precision)
 * @param subject the run's subject, whose key seals the payload
 * @param codec the codec that encoded the payload, e.g. {@code json} or {@code aes-gcm:2}
 * @param payload the encoded payload
 * @param checksum the chained checksum
 */
public record StoredEntry(
        String runId,
        long seq,
        String type,
        Instant at,
        String subject,
        String codec,
        byte[] payload,
        String checksum) {}
