package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.cel.Expression;
import dev.aios.kernel.spi.Expressions;
import java.util.List;
import java.util.Map;

/** The kernel's CEL offered to extensions over their own variables. */
final class CelExpressions implements Expressions {
    private final Cel cel;

    CelExpressions(List<String> variables) {
        this.cel = new Cel(variables, dev.aios.kernel.internal.cel.Budget.DEFAULT);
    }

    @Override
    public Compiled compile(String source) {
        try {
            return new Compiled(cel.compile(source));
        } catch (CelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private record Compiled(Expression expression) implements Expressions.Compiled {
        @Override
        public String source() {
            return expression.source();
        }

        @Override
        public JsonNode eval(Map<String, JsonNode> vars) {
            try {
                return expression.eval(vars);
            } catch (CelException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        @Override
        public boolean test(Map<String, JsonNode> vars) {
            try {
                return expression.test(vars);
            } catch (CelException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }
}
