package dev.aios.kernel.internal.cel;

import dev.cel.common.ast.CelExpr;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/** Finds which of the declared variables an expression refers to, ignoring macro loop variables. */
final class References {

    private References() {}

    static Set<String> variables(CelExpr expr, Set<String> declared) {
        var found = new TreeSet<String>();
        visit(expr, Set.of(), declared, found);
        return Set.copyOf(found);
    }

    /**
     * The names along {@code expr} if it only reads a field of a field … of a variable (such as
     * {@code steps.s1.output.customer}): the variable's name first, then each field's; else empty.
     */
    static java.util.Optional<java.util.List<String>> path(CelExpr expr) {
        var names = new java.util.ArrayDeque<String>();
        var at = expr;
        while (at.getKind() == CelExpr.ExprKind.Kind.SELECT && !at.select().testOnly()) {
            names.addFirst(at.select().field());
            at = at.select().operand();
        }
        if (at.getKind() != CelExpr.ExprKind.Kind.IDENT) {
            return java.util.Optional.empty();
        }
        names.addFirst(at.ident().name());
        return java.util.Optional.of(java.util.List.copyOf(names));
    }

    private static void visit(CelExpr expr, Set<String> bound, Set<String> declared, Set<String> found) {
        switch (expr.getKind()) {
            case IDENT -> {
                var name = expr.ident().name();
                if (declared.contains(name) && !bound.contains(name)) {
                    found.add(name);
                }
            }
            case SELECT -> visit(expr.select().operand(), bound, declared, found);
            case CALL -> {
                expr.call().target().ifPresent(target -> visit(target, bound, declared, found));
                expr.call().args().forEach(arg -> visit(arg, bound, declared, found));
            }
            case LIST -> expr.list().elements().forEach(element -> visit(element, bound, declared, found));
            case MAP ->
                expr.map().entries().forEach(entry -> {
                    visit(entry.key(), bound, declared, found);
                    visit(entry.value(), bound, declared, found);
                });
            case STRUCT -> expr.struct().entries().forEach(entry -> visit(entry.value(), bound, declared, found));
            case COMPREHENSION -> {
                var loop = expr.comprehension();
                visit(loop.iterRange(), bound, declared, found);
                visit(loop.accuInit(), bound, declared, found);
                var inner = new HashSet<>(bound);
                inner.add(loop.iterVar());
                inner.add(loop.iterVar2());
                inner.add(loop.accuVar());
                visit(loop.loopCondition(), inner, declared, found);
                visit(loop.loopStep(), inner, declared, found);
                visit(loop.result(), inner, declared, found);
            }
            case CONSTANT, NOT_SET -> {}
        }
    }
}
