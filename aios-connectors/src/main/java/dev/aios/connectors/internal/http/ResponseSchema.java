package dev.aios.connectors.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.aios.api.PermanentFailure;
import java.util.stream.Collectors;

/** Checks a response body against the JSON Schema a step gave for it. */
final class ResponseSchema {
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private ResponseSchema() {}

    static void check(JsonNode schema, JsonNode body, String call) {
        com.networknt.schema.Schema compiled;
        try {
            compiled = SCHEMAS.getSchema(schema);
        } catch (RuntimeException e) {
            throw new PermanentFailure(
                    "the response schema of " + call + " is not a JSON Schema: " + e.getMessage(), e);
        }
        var errors = compiled.validate(body);
        if (!errors.isEmpty()) {
            throw new PermanentFailure("the response of " + call + " does not match its schema: "
                    + errors.stream().limit(5).map(Object::toString).collect(Collectors.joining("; ")));
        }
    }
}
