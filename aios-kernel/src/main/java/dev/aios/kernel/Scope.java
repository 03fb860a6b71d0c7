package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an API token may do. {@code admin} includes every other scope and {@code operate} includes
 * {@code read}; {@code ingest} stands alone, so that a webhook sender or script that sends events
 * cannot read anything back.
 */
public enum Scope {
    /** Runs, journals, tasks, costs, playbooks, agents, memory search. */
    READ("read"),
    /** Sending events and adding memory. */
    INGEST("ingest"),
    /** Answering tasks: approve, reject, retry, skip, compensate; cancelling runs. Includes read. */
    OPERATE("operate"),
    /** Reloading playbooks, forgetting subjects, tokens, the audit log, settings. Includes everything. */
    ADMIN("admin");

    private final String wire;

    Scope(String wire) {
        this.wire = wire;
    }

    /** The scope's name in tokens, on the command line and in JSON. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /** Whether a token with this scope may do what {@code needed} allows. */
    public boolean includes(Scope needed) {
        return this == needed || this == ADMIN || (this == OPERATE && needed == READ);
    }

    /** Whether any of {@code scopes} includes {@code needed}. */
    public static boolean allow(Set<Scope> scopes, Scope needed) {
        return scopes.stream().anyMatch(scope -> scope.includes(needed));
    }

    /** The scope named {@code wire}, or an error listing the names. */
    @JsonCreator
    public static Scope fromWire(String wire) {
        var name = wire == null ? "" : wire.strip().toLowerCase(Locale.ROOT);
        return Arrays.stream(values())
                .filter(scope -> scope.wire.equals(name))
                .findFirst()
                .orElseThrow(() -> new InvalidInputException(
                        "unknown scope '" + wire + "'; the scopes are " + names(EnumSet.allOf(Scope.class))));
    }

    /** Scopes written as {@code read,ingest}. */
    public static Set<Scope> parse(String list) {
        var scopes = EnumSet.noneOf(Scope.class);
        for (var part : list.split(",")) {
            if (!part.isBlank()) {
                scopes.add(fromWire(part));
            }
        }
        if (scopes.isEmpty()) {
            throw new InvalidInputException("name at least one scope: " + names(EnumSet.allOf(Scope.class)));
        }
        return scopes;
    }

    /** {@code scopes} written as {@code read,ingest}. */
    public static String names(Set<Scope> scopes) {
        return scopes.stream().sorted().map(Scope::wire).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return wire;
    }
}
