package dev.aios.connectors.internal.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads a webhook body: JSON, or a form ({@code application/x-www-form-urlencoded}) as a JSON object. */
final class Bodies {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Bodies() {}

    /** Thrown for a body that cannot be read: {@code status} is 400 or 415. */
    static final class Unreadable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Unreadable(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    static JsonNode read(String contentType, byte[] body) {
        var media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (media.equals("application/x-www-form-urlencoded")) {
            return form(new String(body, StandardCharsets.UTF_8));
        }
        if (!media.isEmpty() && !media.equals("application/json") && !media.endsWith("+json")) {
            throw new Unreadable(415, "a webhook body must be JSON or application/x-www-form-urlencoded, not " + media);
        }
        if (body.length == 0) {
            return JsonNodeFactory.instance.objectNode();
        }
        try {
            var tree = JSON.readTree(body);
            return tree == null ? JsonNodeFactory.instance.objectNode() : tree;
        } catch (JsonProcessingException e) {
            var where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw new Unreadable(400, "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Unreadable(400, "the body could not be read: " + e.getMessage());
        }
    }

    /** A form as an object; a field sent more than once becomes an array. */
    static ObjectNode form(String text) {
        var out = JsonNodeFactory.instance.objectNode();
        if (text.isBlank()) {
            return out;
        }
        for (var pair : text.strip().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            var parts = pair.split("=", 2);
            String name;
            String value;
            try {
                name = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                value = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
            } catch (IllegalArgumentException e) {
                throw new Unreadable(400, "the form body is not URL-encoded properly: " + e.getMessage());
            }
            var earlier = out.get(name);
            if (earlier == null) {
                out.put(name, value);
            } else if (earlier instanceof ArrayNode list) {
                list.add(value);
            } else {
                out.putArray(name).add(earlier).add(value);
            }
        }
        return out;
    }
}
