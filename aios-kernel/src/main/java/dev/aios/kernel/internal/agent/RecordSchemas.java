package dev.aios.kernel.internal.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Derives the JSON Schema (draft 2020-12) of a record type, as the contract's input or output.
 *
 * <p>Every component is a property named as Jackson names it ({@code @JsonProperty} wins); every
 * component but an {@code Optional} one is required, may not be null, and no other property is
 * allowed. Nested records are inlined; a record that refers to itself is placed under {@code $defs}
 * and referred to with {@code $ref} ({@code "#"} for the root). A type with no JSON meaning fails
 * with an {@link IllegalArgumentException} that names the record and the component. Results are
 * cached per class.
 */
public final class RecordSchemas {

    /** The dialect every derived schema declares. */
    public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final String SUPPORTED = "String, char, numbers (int, long, double, BigInteger, BigDecimal, ...),"
            + " boolean, enums, Instant, OffsetDateTime, LocalDate, Duration, UUID, URI, List, Set, arrays,"
            + " Map<String, T>, Optional, JsonNode and records";

    // ClassValue: computed once per class, and does not keep classes of a discarded class loader alive.
    private static final ClassValue<ObjectNode> CACHE = new ClassValue<>() {
        @Override
        protected ObjectNode computeValue(Class<?> type) {
            return new Derivation(type).root();
        }
    };

    private RecordSchemas() {}

    /**
     * The JSON Schema of {@code type}: a fresh copy that the caller may change.
     *
     * @throws IllegalArgumentException if a component has a type with no JSON Schema mapping
     */
    public static ObjectNode of(Class<? extends Record> type) {
        return CACHE.get(type).deepCopy();
    }

    /** The JSON property name of a record component: its {@code @JsonProperty} value or its own name. */
    static String propertyName(RecordComponent component) {
        JsonProperty property = annotation(component, JsonProperty.class);
        return property == null || property.value().isEmpty() ? component.getName() : property.value();
    }

    // @JsonProperty does not target record components, so Java puts it on the accessor and field only.
    private static <A extends java.lang.annotation.Annotation> A annotation(RecordComponent component, Class<A> type) {
        A onAccessor = component.getAccessor().getAnnotation(type);
        if (onAccessor != null) {
            return onAccessor;
        }
        try {
            return component
                    .getDeclaringRecord()
                    .getDeclaredField(component.getName())
                    .getAnnotation(type);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    /** One derivation from a root record; tracks the records being derived to detect recursion. */
    private static final class Derivation {
        private final Class<?> root;
        private final Deque<Class<?>> stack = new ArrayDeque<>();
        private final Set<Class<?>> recursive = new HashSet<>();
        private final Map<Class<?>, String> defNames = new HashMap<>();
        private final Map<String, ObjectNode> defs = new TreeMap<>();

        Derivation(Class<?> root) {
            this.root = root;
        }

        ObjectNode root() {
            if (!root.isRecord()) {
                throw new IllegalArgumentException(
                        root.getName() + " is not a record: agent input and output types must be records");
            }
            ObjectNode schema = NODES.objectNode().put("$schema", DIALECT);
            schema.setAll(record(root));
            if (!defs.isEmpty()) {
                ObjectNode defsNode = schema.putObject("$defs");
                defs.forEach(defsNode::set);
            }
            return schema;
        }

        private ObjectNode record(Class<?> type) {
            stack.push(type);
            ObjectNode schema = NODES.objectNode().put("type", "object");
            ObjectNode properties = schema.putObject("properties");
            ArrayNode required = NODES.arrayNode();
            for (RecordComponent component : type.getRecordComponents()) {
                String name = propertyName(component);
                if (properties.has(name)) {
                    throw new IllegalArgumentException("record " + type.getName() + " has two components named '" + name
                            + "' in JSON: rename one or change its @JsonProperty");
                }
                Site site = new Site(type, component);
                ObjectNode property = type(component.getGenericType(), site);
                JsonPropertyDescription description = annotation(component, JsonPropertyDescription.class);
                if (description != null) {
                    property.put("description", description.value());
                }
                properties.set(name, property);
                if (!isOptional(component.getType())) {
                    required.add(name);
                }
            }
            if (!required.isEmpty()) {
                schema.set("required", required);
            }
            schema.put("additionalProperties", false);
            stack.pop();
            return schema;
        }

        private ObjectNode recordReference(Class<?> type) {
            if (type == root) {
                return NODES.objectNode().put("$ref", "#");
            }
            if (defNames.containsKey(type)) {
                return ref(type);
            }
            if (stack.contains(type)) {
                recursive.add(type);
                return ref(type);
            }
            ObjectNode schema = record(type);
            if (!recursive.contains(type)) {
                return schema;
            }
            defs.put(defName(type), schema);
            return ref(type);
        }

        private ObjectNode ref(Class<?> type) {
            return NODES.objectNode().put("$ref", "#/$defs/" + defName(type));
        }

        private String defName(Class<?> type) {
            String name = defNames.get(type);
            if (name == null) {
                // Two records with one simple name (in different classes or packages) need distinct keys.
                name = defNames.containsValue(type.getSimpleName()) ? type.getName() : type.getSimpleName();
                defNames.put(type, name);
            }
            return name;
        }

        private ObjectNode type(Type type, Site site) {
            return switch (type) {
                case Class<?> c -> classType(c, site);
                case ParameterizedType p -> parameterized(p, site);
                case GenericArrayType a -> array(type(a.getGenericComponentType(), site));
                case WildcardType w when w.getLowerBounds().length == 0 -> type(w.getUpperBounds()[0], site);
                case TypeVariable<?> v -> throw site.unsupported(v, "is a type variable; use a concrete type");
                default -> throw site.unsupported(type, "is not supported; use one of " + SUPPORTED);
            };
        }

        private ObjectNode classType(Class<?> c, Site site) {
            ObjectNode simple = simpleType(c);
            if (simple != null) {
                return simple;
            }
            if (c.isEnum()) {
                return enumType(c);
            }
            if (c.isRecord()) {
                return recordReference(c);
            }
            if (c == byte[].class) {
                // Jackson writes byte arrays as base64 text.
                return string().put("contentEncoding", "base64");
            }
            if (c.isArray()) {
                return array(type(c.getComponentType(), site));
            }
            if (c == OptionalInt.class) {
                return nullable(integer(Integer.MIN_VALUE, Integer.MAX_VALUE));
            }
            if (c == OptionalLong.class) {
                return nullable(integer(Long.MIN_VALUE, Long.MAX_VALUE));
            }
            if (c == OptionalDouble.class) {
                return nullable(NODES.objectNode().put("type", "number"));
            }
            if (Collection.class.isAssignableFrom(c) || Map.class.isAssignableFrom(c) || c == Optional.class) {
                throw site.unsupported(c, "needs a type argument: say what it holds, e.g. List<String>");
            }
            throw site.unsupported(c, "is not supported; use one of " + SUPPORTED);
        }

        private ObjectNode parameterized(ParameterizedType p, Site site) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == Optional.class) {
                return nullable(type(args[0], site));
            }
            if (raw == List.class || raw == Collection.class) {
                return array(type(args[0], site));
            }
            if (raw == Set.class) {
                return array(type(args[0], site)).put("uniqueItems", true);
            }
            if (raw == Map.class) {
                if (args[0] != String.class) {
                    throw site.unsupported(p, "has keys that are not text; JSON object keys are, use Map<String, T>");
                }
                ObjectNode schema = NODES.objectNode().put("type", "object");
                schema.set("additionalProperties", type(args[1], site));
                return schema;
            }
            throw site.unsupported(p, "is not supported; use one of " + SUPPORTED);
        }
    }

    /** The schema of a type that maps to one JSON type directly, or null. */
    private static ObjectNode simpleType(Class<?> c) {
        if (c == String.class) {
            return string();
        }
        if (c == char.class || c == Character.class) {
            return string().put("minLength", 1).put("maxLength", 1);
        }
        if (c == boolean.class || c == Boolean.class) {
            return NODES.objectNode().put("type", "boolean");
        }
        if (c == byte.class || c == Byte.class) {
            return integer(Byte.MIN_VALUE, Byte.MAX_VALUE);
        }
        if (c == short.class || c == Short.class) {
            return integer(Short.MIN_VALUE, Short.MAX_VALUE);
        }
        if (c == int.class || c == Integer.class) {
            return integer(Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (c == long.class || c == Long.class) {
            return integer(Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (c == BigInteger.class) {
            return NODES.objectNode().put("type", "integer");
        }
        if (c == float.class || c == Float.class || c == double.class || c == Double.class || c == BigDecimal.class) {
            return NODES.objectNode().put("type", "number");
        }
        if (c == Instant.class || c == OffsetDateTime.class) {
            return string().put("format", "date-time");
        }
        if (c == LocalDate.class) {
            return string().put("format", "date");
        }
        if (c == Duration.class) {
            return string();
        }
        if (c == UUID.class) {
            return string().put("format", "uuid");
        }
        if (c == URI.class) {
            return string().put("format", "uri");
        }
        if (JsonNode.class.isAssignableFrom(c)) {
            return NODES.objectNode();
        }
        return null;
    }

    private static ObjectNode integer(long min, long max) {
        ObjectNode schema = NODES.objectNode().put("type", "integer");
        // Int-sized bounds as int nodes, so that the schema equals the same schema parsed from text.
        schema.set("minimum", min == (int) min ? NODES.numberNode((int) min) : NODES.numberNode(min));
        schema.set("maximum", max == (int) max ? NODES.numberNode((int) max) : NODES.numberNode(max));
        return schema;
    }

    private static ObjectNode string() {
        return NODES.objectNode().put("type", "string");
    }

    private static ObjectNode array(ObjectNode items) {
        ObjectNode schema = NODES.objectNode().put("type", "array");
        schema.set("items", items);
        return schema;
    }

    private static ObjectNode enumType(Class<?> type) {
        ArrayNode names = NODES.arrayNode();
        for (Object constant : type.getEnumConstants()) {
            String name = ((Enum<?>) constant).name();
            names.add(enumName(type, name));
        }
        ObjectNode schema = string();
        schema.set("enum", names);
        return schema;
    }

    // Jackson writes an enum constant under its @JsonProperty name when it has one.
    private static String enumName(Class<?> type, String name) {
        try {
            JsonProperty property = type.getField(name).getAnnotation(JsonProperty.class);
            return property == null || property.value().isEmpty() ? name : property.value();
        } catch (NoSuchFieldException e) {
            return name;
        }
    }

    /** A copy of {@code schema} that also accepts null: what an empty {@code Optional} reads from. */
    private static ObjectNode nullable(ObjectNode schema) {
        JsonNode type = schema.get("type");
        if (type == null) {
            if (schema.isEmpty()) {
                return schema;
            }
            ObjectNode either = NODES.objectNode();
            either.putArray("anyOf").add(schema).add(NODES.objectNode().put("type", "null"));
            return either;
        }
        if (type.isTextual()) {
            schema.putArray("type").add(type.asText()).add("null");
        }
        if (schema.get("enum") instanceof ArrayNode values) {
            values.addNull();
        }
        return schema;
    }

    private static boolean isOptional(Class<?> type) {
        return type == Optional.class
                || type == OptionalInt.class
                || type == OptionalLong.class
                || type == OptionalDouble.class;
    }

    /** Where a type occurs, for error messages. */
    private record Site(Class<?> record, RecordComponent component) {
        IllegalArgumentException unsupported(Type type, String problem) {
            return new IllegalArgumentException("cannot derive a JSON Schema for record " + record.getName()
                    + ", component '" + component.getName() + "' ("
                    + component.getGenericType().getTypeName()
                    + "): " + type.getTypeName() + " " + problem);
        }
    }
}
