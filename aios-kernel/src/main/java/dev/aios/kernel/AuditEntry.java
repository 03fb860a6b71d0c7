package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One operator or admin action in the audit log.
 *
 * @param seq its position in the log, from 1
 * @param at when it was done
 * @param actor who did it: the name of the token the request carried, {@code local} for the
 *     command line on the data directory, or {@code kernel} for what the kernel did by itself
 * @param action what was done, e.g. {@code task.approve}, {@code subject.forget}, {@code token.create}
 * @param target what it was done to: a task or run id, a token name, a subject's pseudonym
 * @param details more about it, e.g. the comment given
 * @param checksum SHA-256 over the previous entry's checksum and this entry, so that no entry can
 *     be changed or removed unnoticed
 */
public record AuditEntry(
        long seq, Instant at, String actor, String action, String target, JsonNode details, String checksum) {}
