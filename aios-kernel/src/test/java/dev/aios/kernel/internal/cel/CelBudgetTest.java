package dev.aios.kernel.internal.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** No expression can stall or exhaust the process: each one fails clearly past its budget. */
class CelBudgetTest {
    private final Cel cel = new Cel();
    private static final Map<String, JsonNode> VARS =
            Map.of("event", JsonNodeFactory.instance.objectNode().put("subject", "acme"));

    /** {@code cel.bind} doubling a string {@code levels} times. */
    static String doubling(int levels) {
        var source = new StringBuilder("cel.bind(v0, 'xxxxxxxxxxxxxxxx', ");
        for (int i = 1; i <= levels; i++) {
            source.append("cel.bind(v")
                    .append(i)
                    .append(", v")
                    .append(i - 1)
                    .append(" + v")
                    .append(i - 1)
                    .append(", ");
        }
        source.append("size(v").append(levels).append(") > 0");
        source.append(")".repeat(levels + 1));
        return source.toString();
    }

    @Test
    void aStringDoubledOverAndOverIsStoppedAtTheSizeLimitInsteadOfFillingTheHeap() {
        var expression = cel.compile(doubling(40));
        long start = System.nanoTime();
        assertThatThrownBy(() -> expression.test(VARS))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("was stopped: it made a string of")
                .hasMessageContaining("the limit is 2000000");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(cel.compile(doubling(10)).test(VARS)).isTrue();
    }

    @Test
    void aReplaceOrJoinThatWouldExplodeIsRefusedBeforeItRuns() {
        var big = "cel.bind(s, 'abcdefghij' + 'abcdefghij' + 'abcdefghij', cel.bind(t, s + s + s + s + s + s + s + s,"
                + " cel.bind(u, t + t + t + t + t + t + t + t, cel.bind(w, u + u + u + u + u + u + u + u, %s))))";
        assertThatThrownBy(() ->
                        cel.compile(big.formatted("w.replace('', w).size()")).eval(VARS))
                .hasMessageContaining("replace(...) would make a value of about");
        assertThatThrownBy(() -> cel.compile(big.formatted("lists.range(1000).map(i, w).join('-').size()"))
                        .eval(VARS))
                .hasMessageContaining("join(...) would make a value of about 15361000 characters");
        assertThatThrownBy(() -> cel.compile("lists.range(1000000000).size()").eval(VARS))
                .hasMessageContaining("lists.range(...) would make a value of about 1000000000 elements");
        assertThat(cel.compile("'a-b-c'.replace('-', '+')").eval(VARS).asText()).isEqualTo("a+b+c");
        assertThat(cel.compile("['a', 'b'].join('/')").eval(VARS).asText()).isEqualTo("a/b");
        assertThat(cel.compile("lists.range(3)").eval(VARS).toString()).isEqualTo("[0,1,2]");
    }

    @Test
    void anExpressionThatRunsTooLongOrTooManyStepsIsStopped() {
        var quick = new Cel(Budget.DEFAULT.withTime(Duration.ofMillis(50)));
        var slow = "lists.range(90000).map(x, lists.range(90000).filter(y, y == x).size()).size() > 0";
        assertThatThrownBy(() -> quick.compile(slow).test(VARS))
                .isInstanceOf(CelException.class)
                .hasMessageMatching(
                        "(?s).*was stopped: it (ran longer than 50 ms|took more than \\d+ evaluation steps|looped more than 100000 times).*");
        assertThatThrownBy(() -> cel.compile(slow).test(VARS))
                .hasMessageMatching(
                        "(?s).*was stopped: it (ran longer than 1 s|took more than 1000000 evaluation steps|looped more than 100000 times).*");
    }

    /**
     * A machine busy with other work (or a pause of the whole JVM) must not fail an expression that
     * is quick on its own: the limit counts the evaluating thread's processor time, and only a thread
     * starved for many times the limit is stopped.
     */
    @Test
    void anEvaluationWaitingForTheProcessorIsNotStoppedButOneUsingItPastTheLimitIs() throws Exception {
        var expr = CelExpr.ofConstant(1, CelConstant.ofValue(1L));
        var limit = Duration.ofMillis(200);

        // Started twice the limit ago on the clock, without using the processor since. (Set back rather
        // than slept through: on a loaded machine a sleep can overshoot past the starved limit.)
        var waiting = new Budget.Meter(
                Budget.DEFAULT.withTime(limit),
                Map.of(),
                System.nanoTime() - limit.multipliedBy(2).toNanos());
        waiting.callback(expr, 1L);

        var busy = new Budget.Meter(Budget.DEFAULT.withTime(limit), Map.of(), System.nanoTime());
        long start = Budget.Meter.cpuNanos();
        while (Budget.Meter.cpuNanos() - start < limit.toNanos()) {
            Thread.onSpinWait();
        }
        assertThatThrownBy(() -> busy.callback(expr, 1L))
                .isInstanceOf(Budget.Exceeded.class)
                .hasMessage("it ran longer than 200 ms");

        var starved = new Budget.Meter(Budget.DEFAULT.withTime(Duration.ofMillis(5)), Map.of(), System.nanoTime());
        Thread.sleep(5L * Budget.STARVED_FACTOR + 20);
        assertThatThrownBy(() -> starved.callback(expr, 1L))
                .isInstanceOf(Budget.Exceeded.class)
                .hasMessage("it ran longer than 5 ms");
    }

    @Test
    void aResultThatSharesItsPartsCannotBeWrittenOutLargerThanTheLimit() {
        var source = new StringBuilder("cel.bind(l0, [1, 2], ");
        for (int i = 1; i <= 30; i++) {
            source.append("cel.bind(l")
                    .append(i)
                    .append(", [l")
                    .append(i - 1)
                    .append(", l")
                    .append(i - 1)
                    .append("], ");
        }
        source.append("l30").append(")".repeat(31));
        assertThatThrownBy(() -> cel.compile(source.toString()).eval(VARS))
                .hasMessageContaining("its result would be larger than the limit when written as JSON");
    }

    @Test
    void flattenIsNotOfferedBecauseItsResultCannotBeBoundedBeforeItRuns() {
        assertThatThrownBy(() -> cel.compile("[[1], [2]].flatten()"))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("flatten");
    }
}
