package dev.aios.kernel;

import java.util.Objects;
import java.util.Optional;

/**
 * A filter for the run list, newest first.
 *
 * @param status only runs in this status
 * @param playbook only runs of this playbook
 * @param subject only runs about this subject
 * @param limit at most this many, 1 to 1000
 */
public record RunQuery(Optional<RunStatus> status, Optional<String> playbook, Optional<String> subject, int limit) {

    /** The limit when none is given. */
    public static final int DEFAULT_LIMIT = 50;

    public RunQuery {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(playbook, "playbook");
        Objects.requireNonNull(subject, "subject");
        if (limit < 1 || limit > 1000) {
            throw new InvalidInputException("limit must be between 1 and 1000, was " + limit);
        }
    }

    /** The newest {@value #DEFAULT_LIMIT} runs. */
    public static RunQuery all() {
        return new RunQuery(Optional.empty(), Optional.empty(), Optional.empty(), DEFAULT_LIMIT);
    }

    /** A copy with a status filter. */
    public RunQuery withStatus(RunStatus status) {
        return new RunQuery(Optional.of(status), playbook, subject, limit);
    }

    /** A copy with a playbook filter. */
    public RunQuery withPlaybook(String playbook) {
        return new RunQuery(status, Optional.of(playbook), subject, limit);
    }

    /** A copy with a subject filter. */
    public RunQuery withSubject(String subject) {
        return new RunQuery(status, playbook, Optional.of(subject), limit);
    }

    /** A copy with another limit. */
    public RunQuery withLimit(int limit) {
        return new RunQuery(status, playbook, subject, limit);
    }
}
