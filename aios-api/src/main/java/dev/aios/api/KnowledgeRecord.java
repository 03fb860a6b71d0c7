package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One version of a knowledge record. Every change makes a new version; the old ones stay, so a step's
 * provenance can name exactly what it read ({@link #ref()}).
 *
 * @param id the record's id, e.g. {@code customer/acme}
 * @param version 1 for the first, one more for each change
 * @param kind what it describes
 * @param subject who or what it is about, "" for no one; forgetting the subject removes every version
 * @param content the record, a JSON object
 * @param at when this version was written
 * @param author who wrote it: {@code operator}, or the run and step that did
 */
public record KnowledgeRecord(
        String id, int version, KnowledgeKind kind, String subject, JsonNode content, Instant at, String author) {

    /** The record as provenance names it: {@code id@version}. */
    public String ref() {
        return id + "@" + version;
    }

    @Override
    public JsonNode content() {
        return content.deepCopy();
    }
}
