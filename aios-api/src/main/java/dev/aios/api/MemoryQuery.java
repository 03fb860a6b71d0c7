package dev.aios.api;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What to recall: words to search for, narrowed by subject, kinds and time.
 *
 * @param text what to look for, in plain words; empty to list the newest items matching the
 *     filters (then at least one filter is needed)
 * @param subject only items about this subject
 * @param kinds only items of these kinds; empty for every kind
 * @param from only items from this time on
 * @param to only items before this time
 * @param k how many items to return, 1 to {@value #MAX_K}
 */
public record MemoryQuery(
        String text,
        Optional<String> subject,
        Set<MemoryKind> kinds,
        Optional<Instant> from,
        Optional<Instant> to,
        int k) {

    /** The most items one recall returns. */
    public static final int MAX_K = 100;

    /** The longest query text, in characters. */
    public static final int MAX_TEXT = 4_000;

    public MemoryQuery {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        kinds = kinds.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(kinds));
        if (k < 1 || k > MAX_K) {
            throw new IllegalArgumentException(
                    "k, how many items to recall, must be between 1 and " + MAX_K + ", was " + k);
        }
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("a query is at most " + MAX_TEXT + " characters, was " + text.length()
                    + "; search for the few words that matter");
        }
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            throw new IllegalArgumentException(
                    "the time filter is empty: 'from' (" + from.get() + ") must be before 'to' (" + to.get() + ")");
        }
        if (text.isBlank() && subject.isEmpty() && kinds.isEmpty() && from.isEmpty() && to.isEmpty()) {
            throw new IllegalArgumentException(
                    "give words to search for, or a subject, kind or time to list the newest items of");
        }
        subject = subject.filter(s -> !s.isBlank());
    }

    /** The 10 items that best match {@code text}, of any kind and subject. */
    public static MemoryQuery of(String text) {
        return new MemoryQuery(text, Optional.empty(), Set.of(), Optional.empty(), Optional.empty(), 10);
    }

    /** This query, only for items about {@code subject}. */
    public MemoryQuery withSubject(String subject) {
        return new MemoryQuery(text, Optional.of(subject), kinds, from, to, k);
    }

    /** This query, only for items of {@code kinds}. */
    public MemoryQuery withKinds(MemoryKind... kinds) {
        return new MemoryQuery(text, subject, Set.of(kinds), from, to, k);
    }

    /** This query, only for items from {@code from} until before {@code to}. */
    public MemoryQuery between(Instant from, Instant to) {
        return new MemoryQuery(text, subject, kinds, Optional.of(from), Optional.of(to), k);
    }

    /** This query, only for items from {@code from} on. */
    public MemoryQuery since(Instant from) {
        return new MemoryQuery(text, subject, kinds, Optional.of(from), to, k);
    }

    /** This query, returning up to {@code k} items. */
    public MemoryQuery withK(int k) {
        return new MemoryQuery(text, subject, kinds, from, to, k);
    }
}
