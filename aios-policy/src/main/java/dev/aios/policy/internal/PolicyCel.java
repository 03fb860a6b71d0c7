package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.policy.PolicyException;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelUnknownSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The CEL of policies: rules over {@code agent}, {@code input}, {@code output}, {@code confidence},
 * {@code amount}, {@code subject}, the subject's knowledge {@code record} and, for escalation,
 * {@code task}; with {@code segment('name')}, the subjects of a segment, so that {@code subject in
 * segment('key-accounts')} reads as it says. Ints and doubles compare with each other; loops are
 * bounded, and an expression may be at most {@value #MAX_SOURCE} characters, so no rule can hold up
 * the worker evaluating it. Thread-safe.
 */
public final class PolicyCel {

    /** The variables a policy expression may use. */
    public static final List<String> VARIABLES =
            List.of("agent", "input", "output", "confidence", "amount", "subject", "record", "task");

    static final int MAX_SOURCE = 2_000;
    private static final int MAX_LOOP_ITERATIONS = 10_000;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final CelCompiler compiler;
    private final CelRuntime runtime;
    private final Map<String, Rule> cache = new ConcurrentHashMap<>();

    public PolicyCel() {
        var options = CelOptions.current()
                .enableHeterogeneousNumericComparisons(true)
                .comprehensionMaxIterations(MAX_LOOP_ITERATIONS)
                .build();
        CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(options)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addLibraries(CelExtensions.strings(), CelExtensions.math(), CelExtensions.optional())
                .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration(
                        "segment",
                        CelOverloadDecl.newGlobalOverload(
                                "segment_string", ListType.create(SimpleType.STRING), SimpleType.STRING)));
        VARIABLES.forEach(name -> builder.addVar(name, SimpleType.DYN));
        compiler = builder.build();
        runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
                .setOptions(options)
                .addLibraries(CelExtensions.strings(), CelExtensions.math(), CelExtensions.optional())
                .build();
    }

    /**
     * Compiles {@code source}, where {@code where} names it for messages (e.g. {@code gates[0].when}).
     *
     * @throws PolicyException saying what is wrong and where
     */
    public Rule compile(String where, String source) {
        var cached = cache.get(source);
        if (cached != null) {
            return cached;
        }
        if (source == null || source.isBlank()) {
            throw new PolicyException(where + ": empty rule; write a condition such as agent == 'draft-proposal'");
        }
        if (source.length() > MAX_SOURCE) {
            throw new PolicyException(
                    where + ": a rule is at most " + MAX_SOURCE + " characters; split it or use a segment");
        }
        var result = compiler.compile(source);
        if (result.hasError()) {
            throw new PolicyException(where + ": `" + source + "` is not valid CEL: "
                    + result.getErrors().getFirst().getMessage());
        }
        try {
            var rule = new Rule(source, runtime.createProgram(result.getAst()));
            if (cache.size() < 10_000) {
                cache.put(source, rule);
            }
            return rule;
        } catch (CelValidationException | CelEvaluationException e) {
            throw new PolicyException(where + ": `" + source + "` is not valid CEL: " + e.getMessage());
        }
    }

    /** A compiled rule; evaluate it with {@link #test}. */
    public static final class Rule {
        private final String source;
        private final CelRuntime.Program program;

        Rule(String source, CelRuntime.Program program) {
            this.source = source;
            this.program = program;
        }

        public String source() {
            return source;
        }

        /**
         * Whether the rule holds over {@code vars}; {@code member} answers {@code segment(name)}
         * membership of the subject.
         *
         * @throws PolicyException when it cannot be evaluated or does not yield a bool
         */
        public boolean test(Map<String, JsonNode> vars, Predicate<String> member) {
            var input = new HashMap<String, Object>();
            for (var name : VARIABLES) {
                input.put(name, Values.toCel(vars.getOrDefault(name, JSON.nullNode())));
            }
            String subject = vars.getOrDefault("subject", JSON.textNode("")).asText();
            var segment = CelFunctionBinding.from(
                    "segment_string", String.class, name -> member.test(name) ? List.of(subject) : List.<String>of());
            Object result;
            try {
                result = program.eval(input, CelLateFunctionBindings.from(segment));
            } catch (CelEvaluationException e) {
                throw new PolicyException("`" + source + "` could not be evaluated: " + e.getMessage());
            }
            if (result instanceof Boolean b) {
                return b;
            }
            if (result instanceof CelUnknownSet) {
                throw new PolicyException("`" + source + "` refers to a value that is not available here");
            }
            throw new PolicyException("`" + source + "` must yield true or false, not " + result);
        }

        @Override
        public String toString() {
            return source;
        }
    }

    /** JSON to the values CEL evaluates over: objects become maps, integers longs, other numbers doubles. */
    static final class Values {
        private Values() {}

        static Object toCel(JsonNode node) {
            return switch (node.getNodeType()) {
                case OBJECT -> {
                    var map = new LinkedHashMap<String, Object>();
                    node.properties().forEach(e -> map.put(e.getKey(), toCel(e.getValue())));
                    yield map;
                }
                case ARRAY -> {
                    var list = new ArrayList<Object>();
                    node.forEach(item -> list.add(toCel(item)));
                    yield list;
                }
                case STRING -> node.textValue();
                case NUMBER ->
                    node.isIntegralNumber() && node.canConvertToLong() ? (Object) node.longValue() : node.doubleValue();
                case BOOLEAN -> node.booleanValue();
                default -> dev.cel.common.values.NullValue.NULL_VALUE;
            };
        }
    }
}
