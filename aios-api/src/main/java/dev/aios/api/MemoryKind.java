package dev.aios.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a memory item is. The kind decides its tier, whether it is embedded for vector search, and
 * which retention rules apply to it (time to live, half-life, compaction).
 */
public enum MemoryKind {
    /** An event the kernel accepted; taken from the event log. */
    EVENT(Tier.EPISODIC, false),
    /** A journal entry of a run; taken from the journal. */
    JOURNAL(Tier.EPISODIC, false),
    /** Old episodic items of one subject and day, merged into one by retention. */
    SUMMARY(Tier.EPISODIC, true),
    /** A note written by an agent or the operator. */
    NOTE(Tier.SEMANTIC, true),
    /** The body of an email. */
    EMAIL(Tier.SEMANTIC, true),
    /** A document, chunked when long. */
    DOCUMENT(Tier.SEMANTIC, true),
    /** What an agent produced, kept to be found again. */
    OUTPUT(Tier.SEMANTIC, true),
    /** The current version of a knowledge record, kept searchable. */
    KNOWLEDGE(Tier.KNOWLEDGE, true);

    /** The tiers of memory. */
    public enum Tier {
        /** What happened: events and journal entries, searchable by text, subject, kind and time. */
        EPISODIC,
        /** What was written: chunks embedded for hybrid search. */
        SEMANTIC,
        /** What is known: versioned records with full history. */
        KNOWLEDGE
    }

    private final Tier tier;
    private final boolean embedded;

    MemoryKind(Tier tier, boolean embedded) {
        this.tier = tier;
        this.embedded = embedded;
    }

    /** The tier this kind belongs to. */
    public Tier tier() {
        return tier;
    }

    /** Whether items of this kind are embedded for vector search (the others are found by text). */
    public boolean embedded() {
        return embedded;
    }

    /** Whether agents and the operator store items of this kind with {@link Memory#remember}. */
    public boolean rememberable() {
        return tier == Tier.SEMANTIC;
    }

    /** The kind as written in JSON, configuration and the command line, e.g. {@code note}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind written as {@code text}.
     *
     * @throws IllegalArgumentException naming the kinds there are
     */
    @JsonCreator
    public static MemoryKind fromWire(String text) {
        for (var kind : values()) {
            if (kind.wire().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a kind of memory; the kinds are "
                + Arrays.stream(values()).map(MemoryKind::wire).collect(Collectors.joining(", ")));
    }
}
