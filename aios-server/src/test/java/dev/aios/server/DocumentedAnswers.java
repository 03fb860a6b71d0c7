package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sends real requests to a running server and checks each answer against what {@code /openapi.json}
 * documents for its operation and status: a request the server takes is one the document allows, the
 * status is documented, so is the content type, the body matches the schema, and the body holds no
 * property the schema does not name (where the schema lists its properties and does not leave the
 * object open).
 */
final class DocumentedAnswers {
    final JsonNode document;
    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();
    private String token;

    DocumentedAnswers(String base, String token) throws Exception {
        this.base = base;
        this.token = token;
        var answer = send("GET", "/openapi.json", null, "application/json", Map.of());
        assertThat(answer.statusCode()).isEqualTo(200);
        this.document = Json.mapper().readTree(answer.body());
    }

    /** Sends the requests that follow with {@code token} ({@code null}: none). */
    void token(String token) {
        this.token = token;
    }

    /** Sends a JSON request, checks its status and that its body is what the document says; returns the body. */
    JsonNode check(String method, String path, String template, String body, int status) throws Exception {
        return check(method, path, template, body, "application/json", Map.of(), status);
    }

    /** As {@link #check(String, String, String, String, int)}, with a content type and headers of its own. */
    JsonNode check(
            String method,
            String path,
            String template,
            String body,
            String contentType,
            Map<String, String> headers,
            int status)
            throws Exception {
        var operation = document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        if (body != null && status < 300) {
            // A request the server takes must be one the document allows, or clients built from it could not send it.
            var request = resolve(operation.path("requestBody"))
                    .path("content")
                    .path(contentType)
                    .path("schema");
            assertThat(request.isMissingNode())
                    .as("%s %s documents a %s request body", method, template, contentType)
                    .isFalse();
            assertThat(validator(request).validate(Json.mapper().readTree(body)))
                    .as("%s %s: the request %s against its schema", method, path, body)
                    .isEmpty();
        }
        var answer = send(method, path, body, contentType, headers);
        assertThat(answer.statusCode())
                .as("%s %s: %s", method, path, answer.body())
                .isEqualTo(status);
        assertThat(operation.isMissingNode())
                .as("%s %s is documented", method, template)
                .isFalse();
        var response = resolve(operation.path("responses").path(Integer.toString(status)));
        assertThat(response.isMissingNode())
                .as("%s %s documents the answer %s", method, template, status)
                .isFalse();
        var type = answer.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", "");
        var media = response.path("content").path(type);
        assertThat(media.isMissingNode())
                .as("%s %s %s documents the content type %s", method, template, status, type)
                .isFalse();
        var json = Json.mapper().readTree(answer.body());
        var schema = media.path("schema");
        assertThat(validator(schema).validate(json))
                .as("%s %s %s against its schema: %s", method, path, status, answer.body())
                .isEmpty();
        var undocumented = new ArrayList<String>();
        undocumented(json, schema, "", undocumented);
        assertThat(undocumented)
                .as("%s %s %s: properties the schema does not name, in %s", method, path, status, answer.body())
                .isEmpty();
        return json;
    }

    /** A schema's {@code $ref} followed, or the node itself. */
    JsonNode resolve(JsonNode node) {
        var ref = node.get("$ref");
        return ref == null ? node : resolve(document.at(ref.asText().substring(1)));
    }

    /** A validator for {@code schema}, whose references into the document's components resolve. */
    com.networknt.schema.Schema validator(JsonNode schema) {
        var tree = (ObjectNode) Json.mapper().createObjectNode().setAll((ObjectNode) schema.deepCopy());
        tree.set("$defs", document.path("components").path("schemas"));
        try {
            var text = Json.mapper().writeValueAsString(tree).replace("#/components/schemas/", "#/$defs/");
            var registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
            return registry.getSchema(Json.mapper().readTree(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Adds to {@code found} the JSON pointer of every property of {@code value} that {@code schema}
     * (its references, {@code allOf}, {@code oneOf} and {@code anyOf} branches together) does not name
     * where it lists an object's properties without leaving the object open.
     */
    private void undocumented(JsonNode value, JsonNode schema, String at, List<String> found) {
        var leaves = new ArrayList<JsonNode>();
        leaves(schema, leaves);
        if (value.isObject()) {
            boolean listed = leaves.stream().anyMatch(leaf -> leaf.has("properties"));
            boolean open = leaves.stream()
                    .anyMatch(leaf -> leaf.has("additionalProperties")
                            && !leaf.get("additionalProperties").isBoolean());
            boolean anything = leaves.stream()
                    .anyMatch(leaf -> leaf.path("additionalProperties").asBoolean(false));
            value.properties().forEach(field -> {
                var declared = leaves.stream()
                        .filter(leaf -> leaf.path("properties").has(field.getKey()))
                        .findFirst();
                if (declared.isPresent()) {
                    undocumented(
                            field.getValue(),
                            declared.get().path("properties").get(field.getKey()),
                            at + "/" + field.getKey(),
                            found);
                } else if (open) {
                    leaves.stream()
                            .filter(leaf -> leaf.path("additionalProperties").isObject())
                            .forEach(leaf -> undocumented(
                                    field.getValue(),
                                    leaf.get("additionalProperties"),
                                    at + "/" + field.getKey(),
                                    found));
                } else if (listed && !anything) {
                    found.add(at + "/" + field.getKey());
                }
            });
        } else if (value.isArray()) {
            leaves.stream().filter(leaf -> leaf.has("items")).findFirst().ifPresent(leaf -> {
                for (int i = 0; i < value.size(); i++) {
                    undocumented(value.get(i), leaf.get("items"), at + "/" + i, found);
                }
            });
        }
    }

    private void leaves(JsonNode schema, List<JsonNode> into) {
        var resolved = resolve(schema);
        into.add(resolved);
        for (var combinator : List.of("allOf", "oneOf", "anyOf")) {
            resolved.path(combinator).forEach(branch -> leaves(branch, into));
        }
    }

    HttpResponse<String> send(String method, String path, String body, String contentType, Map<String, String> headers)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create(base + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", contentType);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
