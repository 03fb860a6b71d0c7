package dev.aios.kernel.internal.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import com.networknt.schema.path.PathType;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.internal.agent.ContractViolation.Problem;
import dev.aios.kernel.internal.agent.ContractViolation.Side;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One agent bound to its contract: the JSON Schemas derived from its input and output records, and
 * a {@link #call} that takes and returns JSON, checking both sides against the contract.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class AgentBinding {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .pathType(PathType.JSON_PATH)
                    .formatAssertionsEnabled(true)
                    .locale(Locale.ENGLISH)
                    .build()));

    private static final ObjectReader READER = dev.aios.kernel.internal.Json.mapper()
            .reader()
            .with(
                    DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                    DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * What every contract says, whether its agent works on records or on JSON.
     *
     * @param name the agent's name
     * @param version its version
     * @param description one sentence for the operator
     * @param preconditions CEL over {@code input}
     * @param effects the connectors it may use
     * @param timeout the longest one attempt may take
     */
    public record Terms(
            String name,
            String version,
            String description,
            List<String> preconditions,
            Set<String> effects,
            Duration timeout) {}

    /** A record agent with its contract, or a JSON agent. */
    private sealed interface Bound {}

    private record Json(JsonAgent agent) implements Bound {}

    private final Bound bound;
    private final Terms terms;
    private final ObjectNode inputSchema;
    private final ObjectNode outputSchema;
    private final Schema inputValidator;
    private final Schema outputValidator;

    private AgentBinding(Typed<?, ?> typed) {
        this.bound = typed;
        Contract<?, ?> contract = typed.contract();
        this.terms = new Terms(
                contract.name(),
                contract.version(),
                contract.description(),
                contract.preconditions(),
                contract.effects(),
                contract.timeout());
        this.inputSchema = RecordSchemas.of(contract.input());
        this.outputSchema = RecordSchemas.of(contract.output());
        this.inputValidator = compile(inputSchema);
        this.outputValidator = compile(outputSchema);
    }

    private AgentBinding(JsonAgent agent, JsonContract contract) {
        this.bound = new Json(agent);
        this.terms = new Terms(
                contract.name(),
                contract.version(),
                contract.description(),
                contract.preconditions(),
                contract.effects(),
                contract.timeout());
        this.inputSchema = objectSchema(contract.inputSchema(), contract.name(), "input");
        this.outputSchema = objectSchema(contract.outputSchema(), contract.name(), "output");
        this.inputValidator = compile(inputSchema);
        this.outputValidator = compile(outputSchema);
    }

    /**
     * Binds an agent that works on JSON to its contract's schemas.
     *
     * @throws IllegalArgumentException if the agent has no contract or a schema is not a JSON object
     */
    public static AgentBinding of(JsonAgent agent) {
        Objects.requireNonNull(agent, "agent");
        var contract = agent.contract();
        if (contract == null) {
            throw new IllegalArgumentException(
                    "agent class " + agent.getClass().getName() + " returned no contract; contract() must return one");
        }
        return new AgentBinding(agent, contract);
    }

    private static ObjectNode objectSchema(JsonNode schema, String agent, String side) {
        if (!(schema instanceof ObjectNode object)) {
            throw new IllegalArgumentException("agent '" + agent + "': the " + side + " schema must be a JSON object");
        }
        try {
            compile(object);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    "agent '" + agent + "': the " + side + " schema is not a valid JSON Schema: " + e.getMessage(), e);
        }
        return object;
    }

    /**
     * Binds {@code agent} to its contract, deriving both schemas.
     *
     * @throws IllegalArgumentException if the agent has no contract or a record type has no schema
     */
    public static AgentBinding of(Agent<?, ?> agent) {
        Objects.requireNonNull(agent, "agent");
        return new AgentBinding(typed(agent));
    }

    /** The agent's name, from its contract. */
    public String name() {
        return terms.name();
    }

    /** The bound agent: an {@link Agent} or a {@link JsonAgent}. */
    public Object agent() {
        return switch (bound) {
            case Typed<?, ?> typed -> typed.agent();
            case Json json -> json.agent();
        };
    }

    /** What the agent's contract says. */
    public Terms terms() {
        return terms;
    }

    /** The JSON Schema of the input: a copy the caller may change. */
    public ObjectNode inputSchema() {
        return inputSchema.deepCopy();
    }

    /** The JSON Schema of the output: a copy the caller may change. */
    public ObjectNode outputSchema() {
        return outputSchema.deepCopy();
    }

    /** The contract as the API shows it. */
    public AgentInfo info() {
        return new AgentInfo(
                terms.name(),
                terms.version(),
                terms.description(),
                inputSchema(),
                outputSchema(),
                terms.preconditions(),
                terms.effects(),
                terms.timeout(),
                agent() instanceof dev.aios.api.Stateful);
    }

    /**
     * Checks {@code input} against the input schema.
     *
     * @return {@code input}, unchanged
     * @throws ContractViolation naming every field that does not match
     */
    public JsonNode validateInput(JsonNode input) {
        return validate(inputValidator, input, Side.INPUT);
    }

    /**
     * Checks {@code output} against the output schema.
     *
     * @return {@code output}, unchanged
     * @throws ContractViolation naming every field that does not match
     */
    public JsonNode validateOutput(JsonNode output) {
        return validate(outputValidator, output, Side.OUTPUT);
    }

    /**
     * Runs the agent on JSON: validates {@code input}, reads it into the input record, runs the agent,
     * and returns its output as JSON once validated.
     *
     * @throws ContractViolation if the input or the output does not match the contract, or the agent
     *     returned nothing
     * @throws Exception whatever the agent throws, unchanged
     */
    public JsonNode call(JsonNode input, AgentContext context) throws Exception {
        validateInput(input);
        return callValidated(input, context);
    }

    /**
     * As {@link #call}, for an input that {@link #validateInput} already accepted: the kernel checks
     * the input on the step's thread, where a violation fails the step, and runs the agent on another.
     *
     * @throws ContractViolation if the input cannot be read into the input record, or the output
     *     does not match the contract, or the agent returned nothing
     * @throws Exception whatever the agent throws, unchanged
     */
    public JsonNode callValidated(JsonNode input, AgentContext context) throws Exception {
        Objects.requireNonNull(context, "context");
        return switch (bound) {
            case Typed<?, ?> typed -> invoke(typed, input, context);
            case Json json -> {
                JsonNode output = json.agent().run(input, context);
                if (output == null) {
                    throw violation(Side.OUTPUT, "$", "returned no output");
                }
                yield validateOutput(output);
            }
        };
    }

    private <I extends Record, O extends Record> JsonNode invoke(Typed<I, O> typed, JsonNode input, AgentContext ctx)
            throws Exception {
        Contract<I, O> contract = typed.contract();
        I record = read(input, contract.input());
        O output = typed.agent().run(record, ctx);
        if (output == null) {
            throw violation(
                    Side.OUTPUT,
                    "$",
                    "returned no output; run must return a " + contract.output().getSimpleName());
        }
        // Guards against heap pollution from raw types in agent code.
        if (!contract.output().isInstance(output)) {
            throw violation(
                    Side.OUTPUT,
                    "$",
                    "returned a " + output.getClass().getName() + " where the contract promises a "
                            + contract.output().getName());
        }
        JsonNode json;
        try {
            json = dev.aios.kernel.internal.Json.mapper().valueToTree(output);
        } catch (IllegalArgumentException e) {
            throw new ContractViolation(
                    name(), Side.OUTPUT, List.of(new Problem("$", "cannot be written as JSON: " + e.getMessage())), e);
        }
        return validateOutput(json);
    }

    private <T> T read(JsonNode input, Class<T> type) {
        try {
            return READER.treeToValue(input, type);
        } catch (JsonProcessingException e) {
            throw new ContractViolation(name(), Side.INPUT, List.of(conversionProblem(e)), e);
        }
    }

    private static Problem conversionProblem(JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping)) {
            return new Problem("$", firstLine(e.getOriginalMessage()));
        }
        NodePath path = new NodePath(PathType.JSON_PATH);
        for (JsonMappingException.Reference reference : mapping.getPath()) {
            path = reference.getFieldName() != null
                    ? path.append(reference.getFieldName())
                    : path.append(Math.max(reference.getIndex(), 0));
        }
        // A compact constructor that rejects its arguments: show its own words.
        if (e instanceof ValueInstantiationException instantiation && e.getCause() != null) {
            String record = instantiation.getType().getRawClass().getSimpleName();
            return new Problem(
                    path.toString(),
                    record + " rejected it: " + firstLine(e.getCause().getMessage()));
        }
        return new Problem(path.toString(), firstLine(e.getOriginalMessage()));
    }

    private JsonNode validate(Schema validator, JsonNode json, Side side) {
        Objects.requireNonNull(json, side.label());
        List<com.networknt.schema.Error> errors = validator.validate(json);
        if (errors.isEmpty()) {
            return json;
        }
        List<Problem> problems = new ArrayList<>(errors.size());
        for (com.networknt.schema.Error error : errors) {
            Problem problem = problem(error);
            if (!problems.contains(problem) && !isNullAlternative(error, errors)) {
                problems.add(problem);
            }
        }
        problems.sort(Comparator.comparing(Problem::path));
        throw new ContractViolation(name(), side, problems);
    }

    /**
     * An optional record referred to by {@code $ref} is "that record, or null" ({@code anyOf}); when
     * the value is neither, the "null expected" half only adds noise next to what is wrong with it.
     */
    private static boolean isNullAlternative(
            com.networknt.schema.Error error, List<com.networknt.schema.Error> errors) {
        Object[] args = error.getArguments();
        if (!"type".equals(error.getKeyword()) || args == null || args.length < 2 || !"null".equals(args[1])) {
            return false;
        }
        NodePath at = error.getInstanceLocation();
        return errors.stream()
                .anyMatch(other -> other != error && other.getInstanceLocation().startsWith(at));
    }

    private static Problem problem(com.networknt.schema.Error error) {
        NodePath at = error.getInstanceLocation();
        Object[] args = error.getArguments() == null ? new Object[0] : error.getArguments();
        String keyword = Objects.requireNonNullElse(error.getKeyword(), "");
        return switch (keyword) {
            case "required" -> new Problem(at.append(property(error, args)).toString(), "required property missing");
            case "additionalProperties" ->
                new Problem(
                        at.append(property(error, args)).toString(),
                        "not in the contract; remove it or check its spelling");
            case "type" -> new Problem(at.toString(), arg(args, 1) + " expected, got " + arg(args, 0));
            case "enum" ->
                new Problem(at.toString(), "must be one of " + arg(args, 0) + ", got " + error.getInstanceNode());
            case "format" -> new Problem(at.toString(), format(arg(args, 0)) + ", got " + error.getInstanceNode());
            case "minimum" ->
                new Problem(at.toString(), "must be at least " + arg(args, 0) + ", got " + error.getInstanceNode());
            case "maximum" ->
                new Problem(at.toString(), "must be at most " + arg(args, 0) + ", got " + error.getInstanceNode());
            case "uniqueItems" -> new Problem(at.toString(), "must not hold the same item twice");
            default -> new Problem(at.toString(), error.getMessage());
        };
    }

    private static String format(String format) {
        return switch (format) {
            case "date-time" -> "must be a date-time with offset (RFC 3339), e.g. \"2025-05-01T09:30:00Z\"";
            case "date" -> "must be a date (RFC 3339), e.g. \"2025-05-01\"";
            case "uuid" -> "must be a UUID, e.g. \"123e4567-e89b-12d3-a456-426614174000\"";
            case "uri" -> "must be an absolute URI, e.g. \"https://example.com/a\"";
            default -> "must be a valid " + format;
        };
    }

    private static String property(com.networknt.schema.Error error, Object[] args) {
        return error.getProperty() != null ? error.getProperty() : arg(args, 0);
    }

    private static String arg(Object[] args, int index) {
        return index < args.length ? String.valueOf(args[index]) : "?";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "cannot be read";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private ContractViolation violation(Side side, String path, String message) {
        return new ContractViolation(name(), side, List.of(new Problem(path, message)));
    }

    private static Schema compile(ObjectNode schema) {
        Schema compiled = SCHEMAS.getSchema(schema);
        compiled.initializeValidators();
        return compiled;
    }

    private static <I extends Record, O extends Record> Typed<I, O> typed(Agent<I, O> agent) {
        Contract<I, O> contract = agent.contract();
        if (contract == null) {
            throw new IllegalArgumentException(
                    "agent class " + agent.getClass().getName() + " returned no contract; contract() must return one");
        }
        return new Typed<>(agent, contract);
    }

    /** An agent with the contract it returned, their type parameters kept together. */
    private record Typed<I extends Record, O extends Record>(Agent<I, O> agent, Contract<I, O> contract)
            implements Bound {}
}
