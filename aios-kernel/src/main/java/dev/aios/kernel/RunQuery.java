package dev.aios.kernel;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A filter for the run list, newest first.
 *
 * @param status only runs in this status
 * @param playbook only runs of this playbook
 * @param subject only runs about this subject
 * @param limit at most this many, 1 to 1000
 * @param from only runs started at or after this time
 * @param to only runs started before this time
 * @param after only runs after this position of an earlier page (see {@link Page#next()})
 */
public record RunQuery(
        Optional<RunStatus> status,
        Optional<String> playbook,
        Optional<String> subject,
        int limit,
        Optional<Instant> from,
        Optional<Instant> to,
        Optional<Cursor> after) {

    /** The limit when none is given. */
    public static final int DEFAULT_LIMIT = 50;

    public RunQuery {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(playbook, "playbook");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(after, "after");
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit must be between 1 and 1000, was " + limit);
        }
    }

    /** The newest {@value #DEFAULT_LIMIT} runs. */
    public static RunQuery all() {
        return new RunQuery(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                DEFAULT_LIMIT,
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    /** A copy with a status filter. */
    public RunQuery withStatus(RunStatus status) {
        return new RunQuery(Optional.of(status), playbook, subject, limit, from, to, after);
    }

    /** A copy with a playbook filter. */
    public RunQuery withPlaybook(String playbook) {
        return new RunQuery(status, Optional.of(playbook), subject, limit, from, to, after);
    }

    /** A copy with a subject filter. */
    public RunQuery withSubject(String subject) {
        return new RunQuery(status, playbook, Optional.of(subject), limit, from, to, after);
    }

    /** A copy with another limit. */
    public RunQuery withLimit(int limit) {
        return new RunQuery(status, playbook, subject, limit, from, to, after);
    }

    /** A copy that keeps runs started in {@code [from, to)}; either end may be open. */
    public RunQuery startedBetween(Optional<Instant> from, Optional<Instant> to) {
        return new RunQuery(status, playbook, subject, limit, from, to, after);
    }

    /** A copy that starts after {@code cursor}, the {@link Page#next()} of the page before. */
    public RunQuery after(String cursor) {
        return new RunQuery(status, playbook, subject, limit, from, to, Optional.of(Cursor.decode(cursor)));
    }
}
