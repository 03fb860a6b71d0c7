package dev.aios.connectors.internal.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An outgoing webhook subscription, from {@code subscriptions:} in {@code aios.yaml}.
 *
 * <pre>{@code
 * subscriptions:
 *   crm:
 *     url: https://crm.example.com/hooks/aios
 *     events: [lead.*, run.completed, task.opened]
 *     secret: CRM_WEBHOOK_SECRET      # whsec_BASE64, a named secret
 *     attempts: 8                      # then the delivery is failed: aios deliveries --failed
 *     backoff: 30s                     # doubled after each failed attempt, at most 6h
 * }</pre>
 *
 * @param name the subscription's name
 * @param url where deliveries are POSTed
 * @param events event types to deliver; {@code prefix.*} matches a family, {@code *} everything;
 *     run and task changes are {@code run.started|completed|failed|cancelled|compensated} and {@code
 *     task.opened|resolved}
 * @param secret the name of the secret deliveries are signed with (Standard Webhooks)
 * @param attempts how many times a delivery is tried
 * @param backoff the wait after the first failed attempt
 */
public record Subscription(String name, URI url, List<String> events, String secret, int attempts, Duration backoff) {
    private static final List<String> KEYS = List.of("url", "events", "secret", "attempts", "backoff");

    public Subscription {
        events = List.copyOf(events);
    }

    /** Whether this subscription wants items of {@code type}. */
    public boolean wants(String type) {
        for (var pattern : events) {
            if (pattern.equals("*")
                    || pattern.equals(type)
                    || (pattern.endsWith(".*") && type.startsWith(pattern.substring(0, pattern.length() - 1)))) {
                return true;
            }
        }
        return false;
    }

    /** Reads {@code subscriptions:}. */
    public static Map<String, Subscription> readAll(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("subscriptions: must map names to subscriptions (url, events, secret)");
        }
        var out = new TreeMap<String, Subscription>();
        node.fields().forEachRemaining(entry -> out.put(entry.getKey(), read(entry.getKey(), entry.getValue())));
        return out;
    }

    private static Subscription read(String name, JsonNode node) {
        var path = "subscriptions." + name;
        if (!name.matches("[a-z][a-z0-9-]{0,62}")) {
            throw new IllegalArgumentException(path + ": a subscription name is lower-case letters, digits and dashes");
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": give url, events and secret");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        path + ": unknown setting '" + key + "'; the settings are " + String.join(", ", KEYS));
            }
        });
        var url = Optional.ofNullable(node.get("url")).map(JsonNode::asText).orElse("");
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ".url: '" + url + "' is not a URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException(path + ".url: give the endpoint, e.g. https://crm.example.com/hooks");
        }
        var events = new ArrayList<String>();
        var eventsNode = node.get("events");
        if (eventsNode != null && eventsNode.isArray()) {
            eventsNode.forEach(e -> events.add(e.asText()));
        } else if (eventsNode != null && eventsNode.isTextual()) {
            events.add(eventsNode.asText());
        }
        if (events.isEmpty() || events.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException(path + ".events: list the event types, e.g. [lead.*, run.completed]");
        }
        var secret = Optional.ofNullable(node.get("secret"))
                .map(JsonNode::asText)
                .filter(s -> !s.isBlank())
                .orElseThrow(() -> new IllegalArgumentException(
                        path + ".secret: name the secret deliveries are signed with, e.g. CRM_WEBHOOK_SECRET"));
        int attempts = node.has("attempts") ? node.get("attempts").asInt(-1) : 8;
        if (attempts < 1 || attempts > 100) {
            throw new IllegalArgumentException(path + ".attempts: 1 to 100");
        }
        var backoff = Optional.ofNullable(node.get("backoff"))
                .map(b -> Durations.parse(b.asText(), path + ".backoff"))
                .orElse(Duration.ofSeconds(30));
        return new Subscription(name, uri, events, secret, attempts, backoff);
    }
}
