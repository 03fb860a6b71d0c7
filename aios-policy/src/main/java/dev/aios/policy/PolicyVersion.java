package dev.aios.policy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One version of the central policy. Every change (through {@code aios.yaml}, the API, an accepted
 * suggestion, a revocation or a rollback) is a new version; none is ever changed.
 *
 * @param version 1 for the first
 * @param document the policy as written (the {@code policy:} section of aios.yaml, as JSON)
 * @param author who made the change: {@code aios.yaml}, the token's name, {@code operator}, or {@code
 *     aios} for a revocation
 * @param reason why, in the author's words
 * @param at when
 */
public record PolicyVersion(int version, JsonNode document, String author, String reason, Instant at) {
    public PolicyVersion {
        Objects.requireNonNull(document, "document");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(at, "at");
    }
}
