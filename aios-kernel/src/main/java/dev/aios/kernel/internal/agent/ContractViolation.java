package dev.aios.kernel.internal.agent;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * JSON that does not match an agent's contract: input the agent cannot take, or output it should
 * not have produced. The message names the agent, the side and every offending field by its JSON
 * path, e.g. {@code agent 'qualify-lead' input: $.budget: integer expected, got string}.
 *
 * <p>An input violation is the caller's to fix (the data handed to the step); an output violation
 * is the agent's (its code or its model).
 */
public final class ContractViolation extends RuntimeException {

    /** Which side of the contract was violated. */
    public enum Side {
        INPUT,
        OUTPUT;

        /** The side in lower case, as messages show it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One offending field.
     *
     * @param path JSON path of the field, {@code $} for the whole document
     * @param message what is wrong with it
     */
    public record Problem(String path, String message) {
        public Problem {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    private final String agent;
    private final Side side;
    private final List<Problem> problems;

    /** A violation of {@code agent}'s contract on {@code side}; {@code problems} must not be empty. */
    public ContractViolation(String agent, Side side, List<Problem> problems) {
        this(agent, side, problems, null);
    }

    /** As {@link #ContractViolation(String, Side, List)}, caused by {@code cause} (may be null). */
    public ContractViolation(String agent, Side side, List<Problem> problems, Throwable cause) {
        super(message(agent, side, problems), cause);
        this.agent = agent;
        this.side = side;
        this.problems = List.copyOf(problems);
    }

    /** The agent's name. */
    public String agent() {
        return agent;
    }

    /** Input or output. */
    public Side side() {
        return side;
    }

    /** Every offending field, sorted by path. */
    public List<Problem> problems() {
        return problems;
    }

    private static String message(String agent, Side side, List<Problem> problems) {
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(side, "side");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a contract violation needs at least one problem");
        }
        return "agent '" + agent + "' " + side.label() + ": "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
    }
}
