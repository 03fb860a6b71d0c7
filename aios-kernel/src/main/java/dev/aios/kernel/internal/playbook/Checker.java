package dev.aios.kernel.internal.playbook;

import dev.aios.api.Durations;
import dev.aios.kernel.PlaybookException.Problem;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.cel.Expression;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The problems found while compiling one playbook, and the checks of its CEL expressions and
 * durations, each reported at the model path (and so the line) where it was written.
 */
final class Checker {

    /** What an expression must be able to yield. */
    enum Yields {
        ANY("a value", ""),
        BOOL("true or false", "write a condition such as x > 0"),
        TIME("a time", "write an ISO-8601 time with a zone, e.g. 2025-01-31T09:00:00Z, or a CEL timestamp"),
        DURATION("a duration", "write one such as 72h or P3D, or CEL such as duration('72h')"),
        LIST("a list", "write CEL yielding a list, e.g. event.data.contacts");

        final String what;
        final String hint;

        Yields(String what, String hint) {
            this.what = what;
            this.hint = hint;
        }
    }

    /** A duration: written as a literal, or CEL yielding one. */
    record Timing(Optional<Duration> fixed, Optional<Expression> expression) {}

    static final Set<String> TRIGGER_SCOPE = Set.of("event");
    static final Set<String> RUN_SCOPE = Set.of("event", "trigger", "steps", "run");
    static final Set<String> RULE_SCOPE = Set.copyOf(Cel.VARIABLES);
    /** What a stateful agent's end condition sees: its new state and the message it handled. */
    static final Set<String> INSTANCE_SCOPE = Set.of("state", "message");

    private final Cel cel;
    private final String source;
    private final SourceMap lines;
    private final List<Problem> problems = new ArrayList<>();

    Checker(Cel cel, String source, SourceMap lines) {
        this.cel = cel;
        this.source = source;
        this.lines = lines;
    }

    List<Problem> problems() {
        return problems;
    }

    int count() {
        return problems.size();
    }

    void problem(String path, String message) {
        problems.add(new Problem(source, lines.line(path), path + ": " + message));
    }

    Map<String, Expression> expressions(String path, Map<String, String> sources, Set<String> locals) {
        var result = new LinkedHashMap<String, Expression>();
        sources.forEach((field, text) -> expression(path + "." + field, text, RUN_SCOPE, locals, Yields.ANY)
                .ifPresent(e -> result.put(field, e)));
        return result;
    }

    Optional<Expression> expression(String path, String text, Set<String> scope, Set<String> locals, Yields yields) {
        Expression expression;
        try {
            expression = cel.compile(text, locals);
        } catch (CelException e) {
            problem(path, e.getMessage());
            return Optional.empty();
        }
        var allowed = new HashSet<>(scope);
        allowed.addAll(locals);
        var outside = new TreeSet<>(expression.variables());
        outside.removeAll(allowed);
        if (!outside.isEmpty()) {
            var hint = scope == TRIGGER_SCOPE
                    ? "a trigger condition can only use event, the incoming event"
                    : scope == INSTANCE_SCOPE
                            ? "an end condition sees only state (what the agent returned for the message) and"
                                    + " message (the message it handled)"
                            : "input and output are only known in an agent step's approval rule; read what earlier"
                                    + " steps produced with steps.<id>";
            problem(path, "`" + text + "` uses " + String.join(" and ", outside) + "; " + hint);
            return Optional.empty();
        }
        boolean fits =
                switch (yields) {
                    case ANY -> true;
                    case BOOL -> expression.mayYieldBool();
                    case TIME -> expression.mayYieldInstant();
                    case DURATION -> expression.mayYieldDuration();
                    case LIST -> expression.mayYieldList();
                };
        if (!fits) {
            problem(
                    path,
                    "`" + text + "` yields " + expression.resultType() + ", but this must be " + yields.what + "; "
                            + yields.hint);
            return Optional.empty();
        }
        return Optional.of(expression);
    }

    Optional<Timing> duration(String path, String text, Set<String> locals) {
        var literal = Durations.parse(text);
        if (literal.isPresent()) {
            if (literal.get().isNegative()) {
                problem(path, "'" + text + "' is negative; a duration must be zero or more");
                return Optional.empty();
            }
            return Optional.of(new Timing(literal, Optional.empty()));
        }
        if (text.strip().matches("(?i)P(\\d+[YM])+")) {
            problem(path, "'" + text + "': months and years vary in length; write days instead, e.g. P30D");
            return Optional.empty();
        }
        try {
            cel.compile(text, locals);
        } catch (CelException e) {
            problem(
                    path,
                    "'" + text + "' is not a duration; write one such as 72h, 15m, 2d, P3D or PT10S, or"
                            + " a CEL expression yielding one (" + e.getMessage() + ")");
            return Optional.empty();
        }
        return expression(path, text, RUN_SCOPE, locals, Yields.DURATION)
                .map(e -> new Timing(Optional.empty(), Optional.of(e)));
    }

    Optional<Expression> until(String path, String text, Set<String> locals) {
        try {
            var instant = OffsetDateTime.parse(text.strip()).toInstant();
            return expression(path, "timestamp('" + instant + "')", RUN_SCOPE, locals, Yields.TIME);
        } catch (DateTimeParseException e) {
            return expression(path, text, RUN_SCOPE, locals, Yields.TIME);
        }
    }
}
