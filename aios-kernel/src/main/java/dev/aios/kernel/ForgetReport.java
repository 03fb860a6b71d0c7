package dev.aios.kernel;

/**
 * What forgetting a subject did.
 *
 * @param subject the subject
 * @param keysDestroyed encryption keys destroyed (one per generation of the subject's data)
 * @param runsCancelled runs about the subject that were still going and were cancelled
 * @param runsScrubbed runs whose stored state, tasks and receipts were emptied of payloads
 * @param eventsUnreadable events about the subject whose data can no longer be read
 */
public record ForgetReport(
        String subject, int keysDestroyed, int runsCancelled, int runsScrubbed, long eventsUnreadable) {}
