package dev.aios.kernel.internal.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelListsExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles CEL source into {@link Expression}s. The variables {@link #VARIABLES} are declared
 * {@code dyn}; the standard macros ({@code has}, {@code all}, {@code exists}, {@code map}, {@code
 * filter}) and the string, math, list and binding extensions are enabled. Ints and doubles compare
 * with each other, as JSON numbers need. Thread-safe; compiled expressions are cached by source.
 */
public final class Cel {

    /** The variables an expression may use. */
    public static final List<String> VARIABLES = List.of("event", "trigger", "steps", "run", "input", "output");

    private static final int CACHE_LIMIT = 10_000;
    static final int MAX_LOOP_ITERATIONS = 100_000;
    private static final int MAX_SOURCE_CHARACTERS = 10_000;
    private static final int MAX_NESTING = 100;
    private static final int MAX_REGEX_PROGRAM = 1_000;
    /** The list functions offered: all but flatten, whose result cannot be bounded before it runs. */
    private static final Set<CelListsExtensions.Function> LIST_FUNCTIONS =
            java.util.EnumSet.complementOf(java.util.EnumSet.of(CelListsExtensions.Function.FLATTEN));

    private final List<String> variables;
    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final ConcurrentHashMap<String, Expression> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Set<String>, CelCompiler> scoped = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<CelCompiler, SharedCheck> checks = new ConcurrentHashMap<>();

    private final Budget budget;

    /** Builds the compiler and runtime over {@link #VARIABLES} with the {@link Budget#DEFAULT default budget}. */
    public Cel() {
        this(VARIABLES, Budget.DEFAULT);
    }

    /**
     * Builds the compiler and runtime over {@link #VARIABLES}; one instance is meant to be shared.
     *
     * @param budget what each evaluation may spend
     */
    public Cel(Budget budget) {
        this(VARIABLES, budget);
    }

    /**
     * Builds a compiler and runtime whose expressions may use {@code variables} (each {@code dyn}),
     * e.g. {@code body} and {@code headers} for a webhook's mapping.
     *
     * @param budget what each evaluation may spend
     */
    public Cel(List<String> variables, Budget budget) {
        this.variables = List.copyOf(variables);
        this.budget = budget;
        var options = CelOptions.current()
                .enableHeterogeneousNumericComparisons(true)
                .comprehensionMaxIterations(MAX_LOOP_ITERATIONS)
                .maxExpressionCodePointSize(MAX_SOURCE_CHARACTERS)
                .maxParseRecursionDepth(MAX_NESTING)
                .maxRegexProgramSize(MAX_REGEX_PROGRAM)
                .build();
        CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(
                        CelExtensions.strings(),
                        CelExtensions.math(),
                        CelExtensions.lists(LIST_FUNCTIONS),
                        CelExtensions.bindings(),
                        CelExtensions.optional());
        this.variables.forEach(name -> builder.addVar(name, SimpleType.DYN));
        compiler = builder.build();
        runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .addLibraries(
                        CelExtensions.strings(),
                        CelExtensions.math(),
                        CelExtensions.lists(LIST_FUNCTIONS),
                        CelExtensions.optional())
                .build();
    }

    /**
     * Compiles and plans one expression that uses the parser, the type checker, a macro and an
     * extension, without caching it, so that the classes behind them are loaded and initialized
     * before the first real compile. A start does this on a second thread while the store opens:
     * CEL's first compile is a large share of the work before aios answers.
     *
     * @return this
     */
    public Cel warmedUp() {
        var result = compiler.compile("event.data.exists(k, k.startsWith('a')) && size(steps) >= 0 ? 1 : 2");
        try {
            runtime.createProgram(result.getAst());
        } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalStateException("CEL cannot compile its own warm-up expression", e);
        }
        return this;
    }

    /** The compiler of expressions without locals, for tests. */
    CelCompiler compiler() {
        return compiler;
    }

    /** The variables expressions may use. */
    public List<String> variables() {
        return variables;
    }

    /** Compiles {@code source}, or throws {@link CelException} saying what is wrong and where. */
    public Expression compile(String source) {
        return compile(source, Set.of());
    }

    /**
     * Compiles {@code source} where, besides {@link #VARIABLES}, the names {@code locals} are
     * declared (e.g. a forEach item), or throws {@link CelException}.
     */
    public Expression compile(String source, Set<String> locals) {
        Objects.requireNonNull(source, "source");
        var key = locals.isEmpty() ? source : new java.util.TreeSet<>(locals) + source;
        var cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        if (source.isBlank()) {
            throw new CelException(
                    source, "empty CEL expression; write a value or condition such as event.data.amount > 0");
        }
        var result = compiled(compilerFor(locals), source);
        if (result.hasError()) {
            throw CelException.compile(source, result.getErrors(), variables);
        }
        CelAbstractSyntaxTree ast;
        CelRuntime.Program program;
        try {
            ast = result.getAst();
            program = runtime.createProgram(ast);
        } catch (CelValidationException | CelEvaluationException e) {
            throw new CelException(source, "invalid CEL `" + source + "`: " + e.getMessage());
        }
        var declared = new java.util.HashSet<>(variables);
        declared.addAll(locals);
        var used = References.variables(ast.getExpr(), declared);
        var expression = new Expression(
                source,
                program,
                used,
                ast.getResultType().kind(),
                budget,
                Budget.operands(ast.getExpr()),
                References.path(ast.getExpr()));
        if (cache.size() < CACHE_LIMIT) {
            cache.putIfAbsent(key, expression);
        }
        return expression;
    }

    /** What {@code compiler} makes of {@code source}, type-checked in its shared environment when it can be. */
    private CelValidationResult compiled(CelCompiler compiler, String source) {
        var parsed = compiler.parse(source, "<input>");
        if (!parsed.hasError()) {
            try {
                var checked = checks.computeIfAbsent(compiler, SharedCheck::new).check(parsed.getAst());
                if (checked != null) {
                    return new CelValidationResult(checked, com.google.common.collect.ImmutableList.of());
                }
            } catch (CelValidationException e) {
                // not parsed after all: the compile below says why
            }
        }
        return compiler.compile(source);
    }

    private CelCompiler compilerFor(Set<String> locals) {
        if (locals.isEmpty()) {
            return compiler;
        }
        return scoped.computeIfAbsent(Set.copyOf(locals), names -> {
            var builder = compiler.toCompilerBuilder();
            names.forEach(name -> builder.addVar(name, SimpleType.DYN));
            return builder.build();
        });
    }
}
