package dev.aios.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a knowledge record describes. */
public enum KnowledgeKind {
    /** A client: who they are, what they bought, how they like to work. */
    CUSTOMER,
    /** A reusable text: a proposal, an email, a brief. */
    TEMPLATE,
    /** How the business does something, in words: a checklist, a procedure. */
    PLAYBOOK,
    /** How the operator wants things done. */
    PREFERENCE;

    /** The kind as written in JSON and on the command line, e.g. {@code customer}. */
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
    public static KnowledgeKind fromWire(String text) {
        for (var kind : values()) {
            if (kind.wire().equals(text.strip().toLowerCase(Locale.ROOT))) {
                return kind;
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a kind of knowledge record; the kinds are "
                + Arrays.stream(values()).map(KnowledgeKind::wire).collect(Collectors.joining(", ")));
    }
}
