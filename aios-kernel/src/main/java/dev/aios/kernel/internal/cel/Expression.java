package dev.aios.kernel.internal.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import dev.cel.common.CelErrorCode;
import dev.cel.common.types.CelKind;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelUnknownSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A compiled CEL expression over JSON variables ({@code event}, {@code steps}, …). Immutable and
 * thread-safe. Variables missing from an evaluation are absent: an expression that refers to one
 * fails with a {@link CelException} naming it.
 */
public final class Expression {

    private final String source;
    private final CelRuntime.Program program;
    private final Set<String> variables;
    private final CelKind resultKind;
    private final Budget budget;
    private final Map<Long, Budget.Operand> guarded;
    /**
     * For an expression that only reads fields of a variable, the variable and the fields: it is
     * evaluated by following them in the JSON, with the same result as CEL's, and by CEL wherever
     * one of them is missing or not an object (so errors are CEL's own).
     */
    private final String[] path;

    Expression(
            String source,
            CelRuntime.Program program,
            Set<String> variables,
            CelKind resultKind,
            Budget budget,
            Map<Long, Budget.Operand> guarded,
            java.util.Optional<java.util.List<String>> path) {
        this.path = path.filter(names -> variables.contains(names.getFirst()))
                .map(names -> names.toArray(String[]::new))
                .orElse(null);
        this.source = source;
        this.program = program;
        this.variables = variables;
        this.resultKind = resultKind;
        this.budget = budget;
        this.guarded = guarded;
    }

    /** The CEL source text. */
    public String source() {
        return source;
    }

    /** The variables (of {@link Cel#VARIABLES} and the locals it was compiled with) the expression refers to. */
    public Set<String> variables() {
        return variables;
    }

    /** The result type the checker inferred, e.g. {@code bool}, {@code int} or {@code dyn}. */
    public String resultType() {
        return resultKind.name().toLowerCase(Locale.ROOT);
    }

    /** Whether the result can be a bool (it is, or its type is only known at run time). */
    public boolean mayYieldBool() {
        return resultKind == CelKind.BOOL || resultKind == CelKind.DYN;
    }

    /** Whether the result can be a timestamp or an ISO-8601 string. */
    public boolean mayYieldInstant() {
        return resultKind == CelKind.TIMESTAMP || resultKind == CelKind.STRING || resultKind == CelKind.DYN;
    }

    /** Whether the result can be a duration or a duration string. */
    public boolean mayYieldDuration() {
        return resultKind == CelKind.DURATION || resultKind == CelKind.STRING || resultKind == CelKind.DYN;
    }

    /** Whether the result can be a list. */
    public boolean mayYieldList() {
        return resultKind == CelKind.LIST || resultKind == CelKind.DYN;
    }

    /** Evaluates over {@code vars} and returns the result as JSON. */
    public JsonNode eval(Map<String, JsonNode> vars) {
        var found = follow(vars);
        // What CEL would yield for the path: the value converted to CEL's and back, within the budget.
        Object result = found != null ? JsonValues.toCel(found) : evalRaw(vars);
        try {
            return JsonValues.toJson(result, budget.elements());
        } catch (Budget.Exceeded e) {
            throw exceeded(e);
        }
    }

    /** The value at the end of this expression's {@link #path}, or null if it has none or it leads nowhere. */
    private JsonNode follow(Map<String, JsonNode> vars) {
        if (path == null) {
            return null;
        }
        var node = vars.get(path[0]);
        for (int i = 1; i < path.length && node != null; i++) {
            node = node.isObject() ? node.get(path[i]) : null;
        }
        return node;
    }

    /** Evaluates a condition; the result must be a bool. */
    public boolean test(Map<String, JsonNode> vars) {
        var result = evalRaw(vars);
        if (result instanceof Boolean b) {
            return b;
        }
        throw new CelException(
                source,
                "`" + source + "` must yield true or false, but yielded " + JsonValues.describe(result)
                        + "; write a condition such as x > 0 or x == 'yes'");
    }

    /** Evaluates to a point in time: a CEL timestamp or an ISO-8601 string. */
    public Instant evalInstant(Map<String, JsonNode> vars) {
        var result = evalRaw(vars);
        if (result instanceof Instant instant) {
            return instant;
        }
        if (result instanceof String text) {
            try {
                return OffsetDateTime.parse(text.strip()).toInstant();
            } catch (DateTimeParseException e) {
                // reported below with the other kinds of wrong result
            }
        }
        throw new CelException(
                source,
                "`" + source + "` must yield a time, but yielded " + JsonValues.describe(result)
                        + "; use timestamp('2025-01-31T09:00:00Z') or an ISO-8601 string with a zone");
    }

    /** Evaluates to a duration: a CEL duration or a string such as {@code P3D}, {@code 72h}. */
    public Duration evalDuration(Map<String, JsonNode> vars) {
        var result = evalRaw(vars);
        if (result instanceof Duration duration) {
            return duration;
        }
        if (result instanceof String text) {
            var parsed = Durations.parse(text);
            if (parsed.isPresent()) {
                return parsed.get();
            }
        }
        throw new CelException(
                source,
                "`" + source + "` must yield a duration, but yielded " + JsonValues.describe(result)
                        + "; use duration('72h') or a string such as P3D, 72h, 15m");
    }

    private Object evalRaw(Map<String, JsonNode> vars) {
        var missing = new TreeSet<>(variables);
        missing.removeAll(vars.keySet());
        if (!missing.isEmpty()) {
            throw new CelException(
                    source,
                    "`" + source + "` uses " + String.join(" and ", missing) + ", which "
                            + (missing.size() == 1 ? "is" : "are") + " not available here; available: "
                            + (vars.isEmpty() ? "none" : String.join(", ", new TreeSet<>(vars.keySet()))));
        }
        var input = new HashMap<String, Object>();
        for (var name : variables) {
            input.put(name, JsonValues.toCel(vars.get(name)));
        }
        Object result;
        try {
            result = program.trace(input, new Budget.Meter(budget, guarded, System.nanoTime()));
        } catch (CelEvaluationException e) {
            if (rootCause(e) instanceof Budget.Exceeded exceeded) {
                throw exceeded(exceeded);
            }
            if (e.getErrorCode() == CelErrorCode.ITERATION_BUDGET_EXCEEDED) {
                throw exceeded(new Budget.Exceeded("it looped more than " + Cel.MAX_LOOP_ITERATIONS + " times"));
            }
            throw CelException.evaluation(source, e);
        } catch (Budget.Exceeded e) {
            throw exceeded(e);
        } catch (StackOverflowError e) {
            throw new CelException(source, "`" + source + "` was stopped: it nests too deeply to evaluate");
        } catch (OutOfMemoryError e) {
            throw new CelException(
                    source, "`" + source + "` was stopped: it needed more memory than the process has to give");
        }
        if (result instanceof CelUnknownSet) {
            throw new CelException(source, "`" + source + "` refers to a value that is not available here");
        }
        return result;
    }

    private CelException exceeded(Budget.Exceeded e) {
        return new CelException(
                source,
                "`" + source + "` was stopped: " + e.getMessage()
                        + ". Expressions must stay small and quick; compute large values in an agent");
    }

    private static Throwable rootCause(Throwable e) {
        var cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Expression that && source.equals(that.source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
