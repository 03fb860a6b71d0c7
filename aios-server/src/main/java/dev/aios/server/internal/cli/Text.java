package dev.aios.server.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.server.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How the CLI writes values from the API's JSON: times, durations, versions, compact JSON. */
final class Text {
    private static final int SHORT_VERSION = 12;

    private Text() {}

    /** A string field, or {@code -} when missing or empty. */
    static String field(JsonNode node, String name) {
        var value = node.path(name);
        return value.isMissingNode() || value.isNull() || value.asText().isEmpty() ? "-" : value.asText();
    }

    /** A string field, if present and not empty. */
    static Optional<String> optional(JsonNode node, String name) {
        var value = node.path(name);
        return value.isMissingNode() || value.isNull() || value.asText().isEmpty()
                ? Optional.empty()
                : Optional.of(value.asText());
    }

    /** An instant field to the second, e.g. {@code 2025-01-31T09:30:12Z}, or {@code -}. */
    static String time(JsonNode node, String name) {
        return instant(node, name)
                .map(at -> at.truncatedTo(ChronoUnit.SECONDS).toString())
                .orElse("-");
    }

    /** An instant field, if present and well-formed. */
    static Optional<Instant> instant(JsonNode node, String name) {
        return optional(node, name).flatMap(text -> {
            try {
                return Optional.of(Instant.parse(text));
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    /** A duration the way a person reads it: {@code 37 ms}, {@code 4.2 s}, {@code 3 min 5 s}. */
    static String duration(Duration duration) {
        long millis = duration.toMillis();
        if (millis < 1000) {
            return millis + " ms";
        }
        if (millis < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
        }
        if (millis < 3_600_000) {
            return duration.toSecondsPart() == 0
                    ? duration.toMinutes() + " min"
                    : duration.toMinutes() + " min " + duration.toSecondsPart() + " s";
        }
        return duration.toMinutesPart() == 0
                ? duration.toHours() + " h"
                : duration.toHours() + " h " + duration.toMinutesPart() + " min";
    }

    /** An ISO-8601 duration such as {@code PT1M} the way a person reads it; other text as it is. */
    static String isoDuration(String text) {
        try {
            return duration(Duration.parse(text));
        } catch (DateTimeParseException e) {
            return text;
        }
    }

    /** A version as {@code name@version}, content hashes cut to their first characters. */
    static String versioned(String name, String version) {
        return name + "@" + shortVersion(version);
    }

    /** A content hash cut to its first characters; other versions as they are. */
    static String shortVersion(String version) {
        return version.length() > SHORT_VERSION && version.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                ? version.substring(0, SHORT_VERSION)
                : version;
    }

    /** JSON on one line. */
    static String compact(JsonNode json) {
        try {
            return Json.mapper().writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a value could not be printed as JSON", e);
        }
    }

    /** {@code text} cut to {@code width} characters, marked with an ellipsis when cut. */
    static String cut(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width - 1) + "…";
    }

    /** The strings of an array field. */
    static List<String> strings(JsonNode node, String name) {
        var values = new ArrayList<String>();
        node.path(name).forEach(value -> values.add(value.asText()));
        return values;
    }
}
