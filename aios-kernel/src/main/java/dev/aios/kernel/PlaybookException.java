package dev.aios.kernel;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A playbook that was refused whole. Each problem names the source, the line and what to fix.
 */
public final class PlaybookException extends AiosException {

    /**
     * One thing wrong with a playbook.
     *
     * @param source the file (or {@code builder:NAME} for a Java-built playbook)
     * @param line the 1-based line, or 0 when unknown
     * @param message what is wrong and how to fix it
     */
    public record Problem(String source, int line, String message) {
        @Override
        public String toString() {
            return line > 0 ? source + ":" + line + ": " + message : source + ": " + message;
        }
    }

    private final List<Problem> problems;

    public PlaybookException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** Everything that is wrong, in source order. */
    public List<Problem> problems() {
        return problems;
    }

    @Override
    public String code() {
        return "invalid-playbook";
    }
}
