package dev.aios.kernel.internal.cel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cel.common.types.CelType;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Converts JSON to the values CEL evaluates over, and CEL results back to JSON. */
final class JsonValues {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private JsonValues() {}

    /** Objects become maps, arrays lists, integers {@code Long}, other numbers {@code Double}. */
    static Object toCel(JsonNode node) {
        if (node == null) {
            return NullValue.NULL_VALUE;
        }
        return switch (node.getNodeType()) {
            case OBJECT -> {
                var map = new LinkedHashMap<String, Object>();
                node.properties().forEach(field -> map.put(field.getKey(), toCel(field.getValue())));
                yield map;
            }
            case ARRAY -> {
                var list = new ArrayList<Object>(node.size());
                node.forEach(element -> list.add(toCel(element)));
                yield list;
            }
            case STRING -> node.textValue();
            case NUMBER -> number(node);
            case BOOLEAN -> node.booleanValue();
            case NULL, MISSING -> NullValue.NULL_VALUE;
            case BINARY -> CelByteString.of(((BinaryNode) node).binaryValue());
            case POJO -> node.asText();
        };
    }

    /**
     * Timestamps and durations become ISO-8601 strings, bytes base64 strings, unsigned integers
     * numbers, maps objects (keys as text), and anything else its text.
     */
    static JsonNode toJson(Object value, long maxNodes) {
        long[] left = {maxNodes};
        return toJson(value, left);
    }

    /** As {@link #toJson(Object, long)} without a limit, for short values in messages. */
    static JsonNode toJson(Object value) {
        return toJson(value, new long[] {Long.MAX_VALUE});
    }

    private static JsonNode toJson(Object value, long[] left) {
        if (--left[0] < 0) {
            // Values that share parts can be far larger written out than they are in memory.
            throw new Budget.Exceeded("its result would be larger than the limit when written as JSON");
        }
        return switch (value) {
            case null -> JSON.nullNode();
            case NullValue n -> JSON.nullNode();
            case Boolean b -> JSON.booleanNode(b);
            case Long l -> integer(l);
            case Integer i -> JSON.numberNode(i);
            case Double d -> JSON.numberNode(d);
            case Float f -> JSON.numberNode(f);
            case Number n -> number(n);
            case String s -> JSON.textNode(s);
            case CelByteString bytes -> JSON.textNode(Base64.getEncoder().encodeToString(bytes.toByteArray()));
            case Instant instant -> JSON.textNode(instant.toString());
            case Duration duration -> JSON.textNode(duration.toString());
            case Map<?, ?> map -> object(map, left);
            case Iterable<?> iterable -> {
                ArrayNode array = JSON.arrayNode();
                iterable.forEach(element -> array.add(toJson(element, left)));
                yield array;
            }
            case Optional<?> optional ->
                optional.map(present -> toJson(present, left)).orElseGet(JSON::nullNode);
            case CelType type -> JSON.textNode(type.name());
            default -> JSON.textNode(String.valueOf(value));
        };
    }

    /** What {@code value} is, for error messages: its CEL type and, when short, its value. */
    static String describe(Object value) {
        var type =
                switch (value) {
                    case null -> "null";
                    case NullValue n -> "null";
                    case Boolean b -> "bool";
                    case Long l -> "int";
                    case Double d -> "double";
                    case Number n -> "uint";
                    case String s -> "string";
                    case CelByteString b -> "bytes";
                    case Instant i -> "timestamp";
                    case Duration d -> "duration";
                    case Map<?, ?> m -> "map";
                    case Iterable<?> i -> "list";
                    default -> value.getClass().getSimpleName();
                };
        if (type.equals("null") || type.equals("map") || type.equals("list")) {
            return type;
        }
        var text = toJson(value).toString();
        return type + " " + (text.length() > 60 ? text.substring(0, 57) + "..." : text);
    }

    private static Object number(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        return node.doubleValue();
    }

    /** The same node type Jackson gives when it reads the number, so results compare equal to parsed JSON. */
    private static JsonNode integer(long value) {
        return value == (int) value ? JSON.numberNode((int) value) : JSON.numberNode(value);
    }

    private static JsonNode number(Number n) {
        try {
            var integer = new BigInteger(n.toString());
            return integer.bitLength() < 64 ? integer(integer.longValue()) : JSON.numberNode(integer);
        } catch (NumberFormatException e) {
            return JSON.numberNode(new BigDecimal(n.toString()));
        }
    }

    private static ObjectNode object(Map<?, ?> map, long[] left) {
        ObjectNode object = JSON.objectNode();
        map.forEach((key, element) ->
                object.set(key instanceof String s ? s : toJson(key).asText(), toJson(element, left)));
        return object;
    }
}
