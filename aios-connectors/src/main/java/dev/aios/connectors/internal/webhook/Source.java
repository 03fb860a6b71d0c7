package dev.aios.connectors.internal.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One webhook source from {@code sources:} in {@code aios.yaml}: how its deliveries are signed, and
 * the CEL that maps a delivery ({@code body}, {@code headers}, {@code source}) to an event.
 *
 * @param name the source's name, the last part of {@code /hooks/{source}}
 * @param scheme how deliveries are signed
 * @param secret the name of the secret they are signed with
 * @param type CEL for the event type
 * @param subject CEL for the event subject; empty for none
 * @param id CEL for the delivery's id; empty to take the scheme's delivery id, else a hash of the body
 * @param playbook the one playbook the events start (required with {@code respond: sync})
 * @param sync whether the request is answered with the output of the run it starts
 * @param maxBytes the largest body accepted
 */
public record Source(
        String name,
        SignatureScheme scheme,
        String secret,
        String type,
        Optional<String> subject,
        Optional<String> id,
        Optional<String> playbook,
        boolean sync,
        long maxBytes) {

    /** The largest body a source accepts unless it says otherwise (the HTTP server's own limit). */
    public static final long DEFAULT_MAX_BYTES = 1_000_000;

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    private static final List<String> KEYS = List.of(
            "scheme", "secret", "type", "subject", "id", "playbook", "respond", "maxBytes", "tolerance", "header");
    private static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    /** Reads the {@code sources} section. */
    public static Map<String, Source> readAll(JsonNode section) {
        var sources = new LinkedHashMap<String, Source>();
        if (section == null || section.isMissingNode() || section.isNull()) {
            return sources;
        }
        if (!section.isObject()) {
            throw new IllegalArgumentException("sources: must be a mapping from source name to its settings");
        }
        section.properties().forEach(entry -> {
            var name = entry.getKey();
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("sources." + name
                        + ": a source name is lower-case letters, digits, - and _ (it is part of the URL /hooks/NAME)");
            }
            sources.put(name, read(name, entry.getValue()));
        });
        return sources;
    }

    private static Source read(String name, JsonNode node) {
        var path = "sources." + name;
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": must be a mapping with scheme, secret and type");
        }
        var unknown = new ArrayList<String>();
        node.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                unknown.add(key);
            }
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    path + ": unknown setting " + unknown + "; the settings are " + String.join(", ", KEYS));
        }
        var tolerance = Optional.ofNullable(node.get("tolerance"))
                .map(t -> Durations.parse(t.asText(), path + ".tolerance"))
                .orElse(DEFAULT_TOLERANCE);
        var schemeName = text(node, "scheme", path)
                .orElseThrow(
                        () -> new IllegalArgumentException(
                                path
                                        + ": say how deliveries are signed with scheme: stripe, github, standard-webhooks or hmac-sha256"));
        SignatureScheme scheme =
                switch (schemeName) {
                    case "stripe" -> new SignatureScheme.Stripe(tolerance);
                    case "github" -> new SignatureScheme.GitHub();
                    case "standard-webhooks", "standard" -> new SignatureScheme.StandardWebhooks(tolerance);
                    case "hmac-sha256", "hmac" ->
                        new SignatureScheme.HmacSha256(
                                text(node, "header", path).orElse("X-Signature"));
                    default ->
                        throw new IllegalArgumentException(path + ".scheme: '" + schemeName
                                + "' is not a signature scheme; use stripe, github, standard-webhooks or hmac-sha256");
                };
        var secret = text(node, "secret", path)
                .orElseThrow(() -> new IllegalArgumentException(path
                        + ": name the secret deliveries are signed with, e.g. secret: "
                        + name.toUpperCase().replace('-', '_')
                        + "_WEBHOOK_SECRET"));
        var type = text(node, "type", path)
                .orElseThrow(() -> new IllegalArgumentException(path
                        + ": say which event a delivery becomes with type: (CEL), e.g. type: \"'lead.received'\""));
        var respond = text(node, "respond", path).orElse("async");
        if (!respond.equals("sync") && !respond.equals("async")) {
            throw new IllegalArgumentException(path + ".respond: '" + respond + "' must be sync or async");
        }
        var playbook = text(node, "playbook", path);
        if (respond.equals("sync") && playbook.isEmpty()) {
            throw new IllegalArgumentException(
                    path + ": respond: sync answers with the output of one run; name its playbook with playbook: NAME");
        }
        long maxBytes = node.has("maxBytes") ? node.get("maxBytes").asLong(-1) : DEFAULT_MAX_BYTES;
        if (maxBytes < 1 || maxBytes > DEFAULT_MAX_BYTES) {
            throw new IllegalArgumentException(
                    path + ".maxBytes: must be a number of bytes from 1 to " + DEFAULT_MAX_BYTES);
        }
        return new Source(
                name,
                scheme,
                secret,
                type,
                text(node, "subject", path),
                text(node, "id", path),
                playbook,
                respond.equals("sync"),
                maxBytes);
    }

    private static Optional<String> text(JsonNode node, String key, String path) {
        var value = node.get(key);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isValueNode() || value.asText().isBlank()) {
            throw new IllegalArgumentException(path + "." + key + ": must be a text value");
        }
        return Optional.of(value.asText());
    }
}
