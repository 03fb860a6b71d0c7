package dev.aios.kernel;

/**
 * What forgetting a subject did.
 *
 * @param subject the subject
 * @param pseudonym what the subject's name was replaced by wherever it was kept ({@code
 *     forgotten:...}): its runs are listed under it
 * @param keysDestroyed encryption keys destroyed (one per generation of the subject's data)
 * @param runsCancelled runs about the subject that were still going and were cancelled
 * @param runsScrubbed runs whose stored state, tasks and receipts were emptied of payloads
 * @param eventsUnreadable events about the subject whose data can no longer be read
 * @param alreadyForgotten whether the subject had been forgotten before and nothing about it was
 *     kept since (forgetting it again changed nothing)
 */
public record ForgetReport(
        String subject,
        String pseudonym,
        int keysDestroyed,
        int runsCancelled,
        int runsScrubbed,
        long eventsUnreadable,
        boolean alreadyForgotten) {}
