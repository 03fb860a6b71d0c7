package dev.aios.kernel.internal.cel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cel.common.CelAbstractSyntaxTree;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SharedCheckTest {

    private final Cel cel = new Cel();

    /** Expressions over every part of the language a playbook uses: macros, extensions, optionals, bindings. */
    private static final List<String> EXPRESSIONS = List.of(
            "event.data.budget > 99.5 && steps.qualify.score >= 70",
            "event.data.tags.exists(t, t == 'vip') ? 'priority' : 'normal'",
            "event.data.items.map(i, i.price * i.count).filter(p, p > 10)",
            "has(event.data.contact) && !has(event.data.phone)",
            "event.data.name.lowerAscii().trim().split(' ')[0]",
            "math.greatest(1, 2.5, event.data.budget)",
            "cel.bind(total, event.data.items.map(i, i.price), total.size() > 0)",
            "event.?data.?note.orValue('none')",
            "[1, 2, 3].slice(1, 2) + [4, 4].distinct()",
            "{'company': event.subject, 'at': timestamp(event.data.when) + duration('1h')}",
            "string(int(event.data.budget)) + ' ' + run.subject",
            "event.data.all(k, k.startsWith('x')) || size(steps) == 0");

    @Test
    void checksAsCelsOwnCheckerDoesInOneEnvironment() throws Exception {
        var shared = new SharedCheck(cel.compiler());
        for (var source : EXPRESSIONS) {
            var own = cel.compiler().compile(source).getAst();
            var parsed = cel.compiler().parse(source, "<input>").getAst();
            CelAbstractSyntaxTree checked = shared.check(parsed);
            assertThat(checked).as(source).isNotNull();
            assertThat(checked.getResultType()).as(source).isEqualTo(own.getResultType());
            assertThat(checked.getTypeMap()).as(source).isEqualTo(own.getTypeMap());
            assertThat(checked.getReferenceMap()).as(source).isEqualTo(own.getReferenceMap());
            assertThat(checked.getExpr()).as(source).isEqualTo(own.getExpr());
        }
    }

    @Test
    void leavesAnExpressionWithAnErrorToCelsCheckerAndGoesOn() throws Exception {
        var shared = new SharedCheck(cel.compiler());
        var wrong =
                cel.compiler().parse("event.data.budget > 'x' + 1", "<input>").getAst();
        assertThat(shared.check(wrong)).isNull();
        var unknown = cel.compiler().parse("size(evnt)", "<input>").getAst();
        assertThat(shared.check(unknown)).isNull();
        var right = cel.compiler().parse("size(event.data) > 1", "<input>").getAst();
        assertThat(shared.check(right)).isNotNull();
    }

    @Test
    void compilesTheSameAndSaysTheSameAboutErrorsThroughCel() {
        assertThat(cel.compile("size(event.data.tags) + 1").resultType()).isEqualTo("int");
        assertThatThrownBy(() -> cel.compile("size(evnt)"))
                .isInstanceOf(CelException.class)
                .hasMessageContaining("evnt")
                .hasMessageContaining("event");
        assertThatThrownBy(() -> cel.compile("1 + 'a'")).isInstanceOf(CelException.class);
        assertThat(cel.compile("item.price * 2", Set.of("item")).variables()).contains("item");
    }
}
