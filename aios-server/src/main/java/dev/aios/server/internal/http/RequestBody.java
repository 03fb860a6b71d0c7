package dev.aios.server.internal.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.InvalidInputException;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Reads a JSON object from a request body and its fields, with errors that name the field. */
final class RequestBody {
    private static final ObjectReader READER =
            Json.mapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ObjectNode body;

    private RequestBody(ObjectNode body) {
        this.body = body;
    }

    /** The body, which must be a JSON object. */
    static RequestBody of(byte[] bytes) {
        if (isBlank(bytes)) {
            throw new InvalidInputException("the request body is empty; send a JSON object");
        }
        return new RequestBody(parseObject(bytes));
    }

    /** A JSON object inside a body, such as one item of a list. */
    static RequestBody of(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidInputException("must be a JSON object, was " + describe(node));
        }
        return new RequestBody(object);
    }

    /** The body if one was sent, otherwise an empty object. */
    static RequestBody ofOptional(byte[] bytes) {
        return isBlank(bytes) ? new RequestBody(Json.mapper().createObjectNode()) : new RequestBody(parseObject(bytes));
    }

    /** Refuses fields not in {@code known}, so that a misspelt field is not silently ignored. */
    RequestBody allowOnly(Set<String> known) {
        body.fieldNames().forEachRemaining(name -> {
            if (known.isEmpty()) {
                throw new InvalidInputException("unknown field '" + name + "'; this request takes no fields");
            }
            if (!known.contains(name)) {
                throw new InvalidInputException(
                        "unknown field '" + name + "'; the fields are " + String.join(", ", new TreeSet<>(known)));
            }
        });
        return this;
    }

    /** Whether the body has {@code field}, even as null. */
    boolean has(String field) {
        return body.has(field);
    }

    /** A string field; empty when missing or null. */
    Optional<String> text(String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new InvalidInputException("field '" + field + "' must be a string, was " + describe(value));
        }
        return Optional.of(value.textValue());
    }

    /** A field that may hold any JSON value; empty when missing or null. */
    Optional<JsonNode> json(String field) {
        JsonNode value = body.get(field);
        return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
    }

    /** An object field; empty when missing or null. */
    Optional<ObjectNode> object(String field) {
        return json(field).map(value -> {
            if (!value.isObject()) {
                throw new InvalidInputException("field '" + field + "' must be a JSON object, was " + describe(value));
            }
            return (ObjectNode) value;
        });
    }

    /** The fields present, for formats that carry extensions. */
    Set<String> fields() {
        var names = new TreeSet<String>();
        body.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static String describe(JsonNode value) {
        return switch (value.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }

    private static ObjectNode parseObject(byte[] bytes) {
        JsonNode node;
        try {
            node = READER.readTree(bytes);
        } catch (JsonProcessingException e) {
            var where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new InvalidInputException(
                    "the request body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidInputException("the request body could not be read: " + e.getMessage(), e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidInputException("the request body must be a JSON object, was " + describe(node));
        }
        int depth = depth(object);
        if (depth > MAX_NESTING) {
            throw new InvalidInputException("the request body is nested more than " + MAX_NESTING
                    + " levels deep, the limit (64 for the data inside it). Flatten it; nothing changed");
        }
        return object;
    }

    /** The deepest nesting of a body: 64 levels of data inside the body's own two. */
    static final int MAX_NESTING = 66;

    /** How deeply objects and arrays nest in {@code json}, counted without recursion and only to just past the limit. */
    private static int depth(JsonNode json) {
        record At(JsonNode node, int depth) {}
        int deepest = 0;
        var todo = new java.util.ArrayDeque<At>();
        todo.push(new At(json, 1));
        while (!todo.isEmpty()) {
            var at = todo.pop();
            deepest = Math.max(deepest, at.depth());
            if (at.depth() > MAX_NESTING) {
                continue;
            }
            at.node().forEach(child -> {
                if (child.isContainerNode()) {
                    todo.push(new At(child, at.depth() + 1));
                }
            });
        }
        return deepest;
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }
}
