package dev.aios.kernel.internal.cel;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationListener;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one evaluation of an expression may spend: steps, time, and the size of every value it
 * makes. Checked after each sub-expression is evaluated, and before the few functions whose result
 * can be far larger than their operands ({@code replace}, {@code join}, {@code lists.range}) run,
 * so that no expression can stall or exhaust the process.
 *
 * @param steps the most sub-expression evaluations
 * @param time the most processor time an evaluation may take (its thread's, so that a machine busy
 *     with other work or a pause of the JVM does not fail an expression that is quick on its own);
 *     however starved, an evaluation is stopped once {@value #STARVED_FACTOR} times this has passed
 * @param characters the longest string (or bytes) a value may be
 * @param elements the most elements a list or map may have
 */
public record Budget(long steps, Duration time, long characters, long elements) {

    /** What every expression gets unless configured otherwise. */
    public static final Budget DEFAULT = new Budget(1_000_000, Duration.ofSeconds(1), 2_000_000, 1_000_000);

    /** How many times its time limit an evaluation may last on the clock when its thread gets no processor. */
    public static final int STARVED_FACTOR = 3;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The functions checked before they run, by the position of their operands. */
    private static final Set<String> GUARDED = Set.of("replace", "join", "lists.range");

    public Budget {
        if (steps < 1 || characters < 1 || elements < 1 || time.isNegative() || time.isZero()) {
            throw new IllegalArgumentException("an expression budget must be positive: " + steps + " steps, " + time
                    + ", " + characters + " characters, " + elements + " elements");
        }
    }

    /** This budget with another time limit. */
    public Budget withTime(Duration limit) {
        return new Budget(steps, limit, characters, elements);
    }

    /** Why an evaluation was stopped; turned into a {@link CelException} by the expression. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String message) {
            super(message, null, false, false);
        }
    }

    /** An operand of a guarded call: its call, which operand it is, and how many there are. */
    record Operand(long call, String function, int index, int count) {}

    /** The operands of guarded calls in {@code expr}, by their expression id. */
    static Map<Long, Operand> operands(CelExpr root) {
        var found = new HashMap<Long, Operand>();
        var pending = new ArrayDeque<CelExpr>();
        pending.push(root);
        while (!pending.isEmpty()) {
            var expr = pending.pop();
            switch (expr.getKind()) {
                case CALL -> {
                    var call = expr.call();
                    var operands = new java.util.ArrayList<CelExpr>();
                    call.target().ifPresent(operands::add);
                    operands.addAll(call.args());
                    if (GUARDED.contains(call.function())) {
                        for (int i = 0; i < operands.size(); i++) {
                            found.put(
                                    operands.get(i).id(), new Operand(expr.id(), call.function(), i, operands.size()));
                        }
                    }
                    operands.forEach(pending::push);
                }
                case SELECT -> pending.push(expr.select().operand());
                case LIST -> expr.list().elements().forEach(pending::push);
                case MAP ->
                    expr.map().entries().forEach(entry -> {
                        pending.push(entry.key());
                        pending.push(entry.value());
                    });
                case STRUCT -> expr.struct().entries().forEach(entry -> pending.push(entry.value()));
                case COMPREHENSION -> {
                    var loop = expr.comprehension();
                    pending.push(loop.iterRange());
                    pending.push(loop.accuInit());
                    pending.push(loop.loopCondition());
                    pending.push(loop.loopStep());
                    pending.push(loop.result());
                }
                case CONSTANT, IDENT, NOT_SET -> {}
            }
        }
        return Map.copyOf(found);
    }

    /** Tracks one evaluation; stops it by throwing {@link Exceeded}. */
    static final class Meter implements CelEvaluationListener {
        private final Budget budget;
        private final Map<Long, Operand> guarded;
        private final long startNanos;
        /** The evaluating thread's processor time at the start; -1 where the JVM cannot tell. */
        private final long startCpuNanos;
        /** When the time used is next looked at: no sooner than the limit could be reached. */
        private long deadline;

        private final Map<Long, long[]> sizes = new HashMap<>();
        private long steps;

        /** Meters an evaluation that starts now on the calling thread, which evaluates it. */
        Meter(Budget budget, Map<Long, Operand> guarded, long startNanos) {
            this(budget, guarded, startNanos, cpuNanos());
        }

        Meter(Budget budget, Map<Long, Operand> guarded, long startNanos, long startCpuNanos) {
            this.budget = budget;
            this.guarded = guarded;
            this.startNanos = startNanos;
            this.startCpuNanos = startCpuNanos;
            this.deadline = startNanos + budget.time.toNanos();
        }

        /** The calling thread's processor time, or -1. */
        static long cpuNanos() {
            return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
        }

        /**
         * Past the deadline on the clock: stops the evaluation when its thread has used its time limit
         * of processor time (or, starved, {@value #STARVED_FACTOR} times the limit went by on the
         * clock); otherwise looks again once the rest of its time could have been used.
         */
        private void checkTime(long now) {
            long limit = budget.time.toNanos();
            long cpu = startCpuNanos < 0 ? -1 : cpuNanos();
            long used = cpu < 0 ? now - startNanos : cpu - startCpuNanos;
            if (used >= limit || now - startNanos >= saturatedMultiply(limit, STARVED_FACTOR)) {
                throw new Exceeded("it ran longer than " + describe(budget.time));
            }
            deadline = now + (limit - used);
        }

        @Override
        public void callback(CelExpr expr, Object value) {
            if (++steps > budget.steps) {
                throw new Exceeded("it took more than " + budget.steps + " evaluation steps");
            }
            long now = System.nanoTime();
            if (now - deadline > 0) {
                checkTime(now);
            }
            switch (value) {
                case String s
                when s.length() > budget.characters ->
                    throw new Exceeded(
                            "it made a string of " + s.length() + " characters; the limit is " + budget.characters);
                case CelByteString b
                when b.size() > budget.characters ->
                    throw new Exceeded("it made " + b.size() + " bytes; the limit is " + budget.characters);
                case Collection<?> c
                when c.size() > budget.elements ->
                    throw new Exceeded("it made a list of " + c.size() + " elements; the limit is " + budget.elements);
                case Map<?, ?> m
                when m.size() > budget.elements ->
                    throw new Exceeded("it made a map of " + m.size() + " entries; the limit is " + budget.elements);
                default -> {}
            }
            var operand = guarded.get(expr.id());
            if (operand != null) {
                var seen = sizes.computeIfAbsent(operand.call(), id -> new long[operand.count() * 2]);
                seen[operand.index() * 2] = size(value);
                seen[operand.index() * 2 + 1] = contentSize(value);
                if (operand.index() == operand.count() - 1) {
                    checkBefore(operand.function(), seen);
                }
            }
        }

        /** Refuses a call whose result would be larger than the budget, before it is computed. */
        private void checkBefore(String function, long[] seen) {
            long estimate =
                    switch (function) {
                        case "replace" -> {
                            long target = seen[0];
                            long old = seen.length > 2 ? seen[2] : 0;
                            long replacement = seen.length > 4 ? seen[4] : 0;
                            long matches = old == 0 ? target + 1 : target / old;
                            yield saturatedAdd(target, saturatedMultiply(matches, replacement));
                        }
                        case "join" -> {
                            long separators = seen.length > 2 ? saturatedMultiply(seen[0], seen[2]) : 0;
                            yield saturatedAdd(seen[1], separators);
                        }
                        case "lists.range" -> seen[0];
                        default -> 0;
                    };
            long limit = function.equals("lists.range") ? budget.elements : budget.characters;
            if (estimate > limit) {
                throw new Exceeded(function + "(...) would make a value of about " + estimate
                        + (function.equals("lists.range") ? " elements" : " characters") + "; the limit is " + limit);
            }
        }

        /** A string's length, a list's or map's element count, a number's value. */
        private static long size(Object value) {
            return switch (value) {
                case String s -> s.length();
                case CelByteString b -> b.size();
                case Collection<?> c -> c.size();
                case Map<?, ?> m -> m.size();
                case Long l -> Math.max(0, l);
                default -> 0;
            };
        }

        /** For a list of strings, their total length. */
        private static long contentSize(Object value) {
            if (!(value instanceof List<?> list)) {
                return 0;
            }
            long total = 0;
            for (var element : list) {
                if (element instanceof String s) {
                    total += s.length();
                }
            }
            return total;
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMultiply(long a, long b) {
        return a != 0 && b > Long.MAX_VALUE / a ? Long.MAX_VALUE : a * b;
    }

    private static String describe(Duration time) {
        return time.toMillis() % 1000 == 0 ? time.toSeconds() + " s" : time.toMillis() + " ms";
    }
}
