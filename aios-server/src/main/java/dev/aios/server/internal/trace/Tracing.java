package dev.aios.server.internal.trace;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.RunTraces;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Traces for {@code aios up}: off unless {@code aios.yaml} has a {@code tracing:} section or the
 * standard {@code OTEL_*} variables ask for traces ({@code OTEL_TRACES_EXPORTER}, {@code
 * OTEL_EXPORTER_OTLP_ENDPOINT} or {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}); {@code
 * OTEL_SDK_DISABLED=true} keeps them off. Spans go out over OTLP (http/protobuf by default), with
 * every other {@code OTEL_*} setting of the SDK honoured; a variable wins over {@code aios.yaml}.
 * Metrics and logs are not exported this way ({@code GET /metrics} and the log serve them).
 *
 * <pre>{@code
 * tracing:
 *   endpoint: http://localhost:4318     # an OTLP collector; /v1/traces is added
 *   headers: { x-api-key: ... }         # sent with every export
 *   sampleRatio: 0.25                   # of runs traced (all by default)
 * }</pre>
 */
public final class Tracing {
    private static final List<String> TURNS_ON =
            List.of("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");

    /** Where {@code tracing.sampleRatio} is passed to the SDK's customizer. */
    private static final String SAMPLE_RATIO = "aios.tracing.sample.ratio";

    private Tracing() {}

    /**
     * The SDK that {@code section} and the environment ask for, or empty when tracing is off.
     *
     * @param section the {@code tracing:} section of {@code aios.yaml} (empty when absent)
     * @param environment the process environment
     * @param version aios's version, the resource's {@code service.version}
     * @throws IllegalArgumentException when a setting is not right
     */
    public static Optional<OpenTelemetrySdk> configure(
            JsonNode section, Map<String, String> variables, String version) {
        Function<String, Optional<String>> environment =
                name -> Optional.ofNullable(variables.get(name)).filter(value -> !value.isBlank());
        if (environment
                .apply("OTEL_SDK_DISABLED")
                .filter("true"::equalsIgnoreCase)
                .isPresent()) {
            return Optional.empty();
        }
        boolean asked = !section.isEmpty()
                || TURNS_ON.stream().anyMatch(name -> environment
                        .apply(name)
                        .filter(value -> !value.equalsIgnoreCase("none"))
                        .isPresent());
        if (!asked) {
            return Optional.empty();
        }
        var properties = properties(section);
        // The environment as this command sees it wins over aios.yaml, as the SDK's own reading does.
        variables.forEach((name, value) -> {
            if (name.startsWith("OTEL_") && !value.isBlank()) {
                properties.put(property(name), value);
            }
        });
        try {
            var sdk = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> properties)
                    .addTracerProviderCustomizer((tracer, config) -> {
                        tracer.setIdGenerator(RunTraces.idGenerator());
                        var ratio = config.getDouble(SAMPLE_RATIO);
                        if (ratio != null) {
                            // A run's trace id follows from its id, so the ratio decides alike for the run's
                            // span and for its steps, whose parent (the run's span) is written only later.
                            var sampler = Sampler.traceIdRatioBased(ratio);
                            tracer.setSampler(Sampler.parentBasedBuilder(sampler)
                                    .setRemoteParentSampled(sampler)
                                    .build());
                        }
                        return tracer;
                    })
                    .addResourceCustomizer((resource, config) -> resource.merge(
                            Resource.create(Attributes.of(AttributeKey.stringKey("service.version"), version))))
                    .disableShutdownHook()
                    .build()
                    .getOpenTelemetrySdk();
            return Optional.of(sdk);
        } catch (ConfigurationException e) {
            throw new IllegalArgumentException("tracing: " + e.getMessage(), e);
        }
    }

    /** Where spans go, for the start-up banner. */
    public static String describe(JsonNode section, Map<String, String> variables) {
        return Optional.ofNullable(variables.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
                .or(() -> Optional.ofNullable(variables.get("OTEL_EXPORTER_OTLP_ENDPOINT")))
                .or(() -> Optional.ofNullable(section.get("endpoint")).map(JsonNode::asText))
                .map(endpoint -> "OTLP to " + endpoint)
                .orElse("OTLP to the collector on localhost");
    }

    private static Map<String, String> properties(JsonNode section) {
        var known = java.util.Set.of("endpoint", "headers", "sampleRatio");
        section.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new IllegalArgumentException(
                        "tracing." + name + " is not a setting; the settings are endpoint, headers, sampleRatio");
            }
        });
        var properties = new LinkedHashMap<String, String>();
        properties.put("otel.service.name", "aios");
        properties.put("otel.traces.exporter", "otlp");
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        properties.put("otel.exporter.otlp.protocol", "http/protobuf");
        if (section.hasNonNull("endpoint")) {
            properties.put(
                    "otel.exporter.otlp.endpoint", section.get("endpoint").asText());
        }
        if (section.has("headers")) {
            if (!section.get("headers").isObject()) {
                throw new IllegalArgumentException("tracing.headers must be a map of header names to values");
            }
            properties.put(
                    "otel.exporter.otlp.headers",
                    section.get("headers").properties().stream()
                            .map(header ->
                                    header.getKey() + "=" + header.getValue().asText())
                            .collect(Collectors.joining(",")));
        }
        if (section.has("sampleRatio")) {
            double ratio = section.get("sampleRatio").asDouble(-1);
            if (!section.get("sampleRatio").isNumber() || ratio < 0 || ratio > 1) {
                throw new IllegalArgumentException(
                        "tracing.sampleRatio must be a number from 0 to 1, was " + section.get("sampleRatio"));
            }
            properties.put(SAMPLE_RATIO, Double.toString(ratio));
        }
        return properties;
    }

    /** {@code otel.exporter.otlp.endpoint} for {@code OTEL_EXPORTER_OTLP_ENDPOINT}. */
    private static String property(String variable) {
        return variable.toLowerCase(Locale.ROOT).replace('_', '.');
    }
}
