package dev.aios.kernel;

import java.util.Objects;
import java.util.Optional;

/**
 * A filter for the operator's tasks, newest first.
 *
 * @param all whether answered and closed tasks are included (only open ones otherwise)
 * @param kind only tasks of this kind, e.g. {@code review} or {@code dead-letter}
 * @param limit at most this many, 1 to 1000
 * @param after only tasks after this position of an earlier page (see {@link Page#next()})
 */
public record TaskQuery(boolean all, Optional<String> kind, int limit, Optional<Cursor> after) {

    /** The limit when none is given. */
    public static final int DEFAULT_LIMIT = 500;

    public TaskQuery {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(after, "after");
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit must be between 1 and 1000, was " + limit);
        }
    }

    /** The newest {@value #DEFAULT_LIMIT} open tasks. */
    public static TaskQuery open() {
        return new TaskQuery(false, Optional.empty(), DEFAULT_LIMIT, Optional.empty());
    }

    /** A copy that includes answered and closed tasks too. */
    public TaskQuery includingClosed() {
        return new TaskQuery(true, kind, limit, after);
    }

    /** A copy with a kind filter. */
    public TaskQuery withKind(String kind) {
        return new TaskQuery(all, Optional.of(kind), limit, after);
    }

    /** A copy with another limit. */
    public TaskQuery withLimit(int limit) {
        return new TaskQuery(all, kind, limit, after);
    }

    /** A copy that starts after {@code cursor}, the {@link Page#next()} of the page before. */
    public TaskQuery after(String cursor) {
        return new TaskQuery(all, kind, limit, Optional.of(Cursor.decode(cursor)));
    }
}
