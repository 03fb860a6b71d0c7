package dev.aios.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.aios.connectors.internal.webhook.Source;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The connectors' settings, from their sections of {@code aios.yaml}:
 *
 * <pre>{@code
 * sources:                       # webhooks in: POST /hooks/{source}
 *   stripe:
 *     scheme: stripe             # stripe | github | standard-webhooks | hmac-sha256
 *     secret: STRIPE_WEBHOOK_SECRET
 *     type: "'stripe.' + body.type"
 *     subject: body.data.object.customer
 *     id: body.id
 * }</pre>
 */
public final class ConnectorSettings {
    /** The sections of {@code aios.yaml} the connectors read. */
    public static final List<String> SECTIONS = List.of("sources");

    private final Map<String, Source> sources;

    private ConnectorSettings(Map<String, Source> sources) {
        this.sources = Map.copyOf(sources);
    }

    /** No connectors configured. */
    public static ConnectorSettings none() {
        return new ConnectorSettings(Map.of());
    }

    /**
     * Reads the connectors' sections.
     *
     * @param section a section of {@code aios.yaml} by name; a missing node when absent
     * @throws IllegalArgumentException naming the setting that is wrong and what to write
     */
    public static ConnectorSettings read(Function<String, JsonNode> section) {
        return new ConnectorSettings(Source.readAll(orMissing(section.apply("sources"))));
    }

    private static JsonNode orMissing(JsonNode node) {
        return node == null ? MissingNode.getInstance() : node;
    }

    /** The webhook sources by name. */
    public Map<String, Source> sources() {
        return sources;
    }
}
