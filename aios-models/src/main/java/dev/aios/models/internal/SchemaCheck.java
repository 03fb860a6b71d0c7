package dev.aios.models.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.PathType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Parses a model's answer as JSON and checks it against a JSON Schema (draft 2020-12), as the kernel checks contracts. */
final class SchemaCheck {
    private static final ObjectReader READER =
            new ObjectMapper().reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder()
                    .pathType(PathType.JSON_PATH)
                    .formatAssertionsEnabled(true)
                    .locale(Locale.ENGLISH)
                    .build()));

    private final Schema schema;

    /**
     * @throws IllegalArgumentException when {@code schema} is not a valid JSON Schema
     */
    SchemaCheck(JsonNode schema) {
        try {
            this.schema = SCHEMAS.getSchema(schema);
            this.schema.initializeValidators();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a valid JSON Schema: " + e.getMessage(), e);
        }
    }

    /** What is wrong with {@code text} as an answer: empty when it is JSON matching the schema. */
    List<String> problems(String text) {
        JsonNode json;
        try {
            json = parse(text);
        } catch (IOException e) {
            return List.of("the answer is not JSON (" + firstLine(e.getMessage()) + ")");
        }
        var problems = new ArrayList<String>();
        for (var error : schema.validate(json)) {
            problems.add(error.getInstanceLocation() + ": " + error.getMessage());
        }
        return problems;
    }

    /**
     * The JSON of an answer: the whole text, or the first fenced block or object in it, since some
     * models wrap JSON in prose or Markdown fences even when asked not to.
     */
    static JsonNode parse(String text) throws IOException {
        String trimmed = text.strip();
        try {
            return read(trimmed);
        } catch (IOException whole) {
            int start = trimmed.indexOf('{');
            int end = trimmed.lastIndexOf('}');
            if (start >= 0 && end > start) {
                return read(trimmed.substring(start, end + 1));
            }
            throw whole;
        }
    }

    private static JsonNode read(String text) throws IOException {
        var json = READER.readTree(text);
        if (json == null || json.isMissingNode()) {
            throw new IOException("the answer is empty");
        }
        return json;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "cannot be read";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
