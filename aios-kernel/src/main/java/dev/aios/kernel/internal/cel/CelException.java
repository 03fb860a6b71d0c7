package dev.aios.kernel.internal.cel;

import dev.cel.common.CelIssue;
import dev.cel.runtime.CelEvaluationException;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A CEL expression that does not compile or fails while it is evaluated. The message names the
 * expression and says what is wrong in CEL's own words, with the column where it applies.
 */
public final class CelException extends RuntimeException {

    private static final Pattern EVAL_POSITION = Pattern.compile("^evaluation error at <input>:(\\d+): ");
    private static final Pattern UNDECLARED =
            Pattern.compile("undeclared reference to '([^']*)' \\(in container '[^']*'\\)");

    /** Words with spaces, which someone wrote meaning text rather than CEL. */
    private static final Pattern PROSE =
            Pattern.compile("\\s*[\\p{L}\\p{N}][\\p{L}\\p{N},.!?-]*( [\\p{L}\\p{N},.!?-]+)+\\s*");

    private final String expression;

    /** An error about CEL {@code expression}; {@code message} says what is wrong and how to fix it. */
    public CelException(String expression, String message) {
        super(message);
        this.expression = expression;
    }

    private CelException(String expression, String message, Throwable cause) {
        super(message, cause);
        this.expression = expression;
    }

    /** The CEL source the error is about. */
    public String expression() {
        return expression;
    }

    static CelException compile(String source, List<CelIssue> issues, List<String> variables) {
        var details = issues.stream().map(issue -> describe(issue, variables)).collect(Collectors.joining("; "));
        if (PROSE.matcher(source).matches() && !details.contains("to write text")) {
            details += "; to write text, quote it: '" + source.strip() + "'";
        }
        return new CelException(source, "invalid CEL `" + source + "`: " + details);
    }

    static CelException evaluation(String source, CelEvaluationException e) {
        var text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        var position = EVAL_POSITION.matcher(text);
        var where = "";
        if (position.find()) {
            where = " at " + place(source, Integer.parseInt(position.group(1)));
            text = text.substring(position.end());
        }
        if (text.endsWith(".")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.contains("is not present in map")) {
            text += "; guard optional fields with has(...), e.g. has(event.data.x) ? event.data.x : 0";
        }
        return new CelException(source, "cannot evaluate `" + source + "`" + where + ": " + text, e);
    }

    private static String describe(CelIssue issue, List<String> variables) {
        var location = issue.getSourceLocation();
        var message = UNDECLARED
                .matcher(issue.getMessage())
                .replaceAll(match -> "unknown name '" + match.group(1) + "' (the names are "
                        + String.join(", ", variables) + "; to write text, quote it: '"
                        + match.group(1) + "')");
        if (location.getLine() <= 0) {
            return message;
        }
        var column = "column " + (location.getColumn() + 1);
        return (location.getLine() > 1 ? "line " + location.getLine() + " " + column : column) + ": " + message;
    }

    private static String place(String source, int offset) {
        int line = 1;
        int column = 1;
        for (int i = 0; i < Math.min(offset, source.length()); i++) {
            if (source.charAt(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return line > 1 ? "line " + line + " column " + column : "column " + column;
    }
}
