package dev.aios.connectors.internal.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.aios.api.Event;
import dev.aios.connectors.WebhookAnswer;
import dev.aios.connectors.WebhookRequest;
import dev.aios.connectors.internal.Secrets;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.spi.Expressions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns signed deliveries into events: checks the size, the signature and the body, maps them to
 * an event by the source's CEL and hands it to the kernel. The event id is the source's name and
 * the delivery's id, so a redelivered webhook is recognized and starts nothing new. A refused
 * delivery records nothing.
 */
public final class WebhookIntake {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);

    /** The names a source's CEL may use. */
    public static final List<String> VARIABLES = List.of("body", "headers", "source");

    /** How a source's mapping is compiled. */
    private record Mapping(
            Source source,
            Expressions.Compiled type,
            Optional<Expressions.Compiled> subject,
            Optional<Expressions.Compiled> id) {}

    private final Map<String, Mapping> sources = new LinkedHashMap<>();
    private final Secrets secrets;
    private final InstantSource clock;
    private final Function<Event, Accepted> send;
    private final BiFunction<String, Event, Accepted> start;

    /**
     * @throws IllegalArgumentException naming the source and the CEL that does not compile
     */
    public WebhookIntake(
            Map<String, Source> sources,
            java.util.function.Supplier<Expressions> expressions,
            Secrets secrets,
            InstantSource clock,
            Function<Event, Accepted> send,
            BiFunction<String, Event, Accepted> start) {
        // The CEL environment is built only when there is a source to compile.
        var cel = sources.isEmpty() ? null : expressions.get();
        sources.forEach((name, source) -> this.sources.put(
                name,
                new Mapping(
                        source,
                        compile(cel, source.type(), "sources." + name + ".type"),
                        source.subject().map(s -> compile(cel, s, "sources." + name + ".subject")),
                        source.id().map(s -> compile(cel, s, "sources." + name + ".id")))));
        this.secrets = secrets;
        this.clock = clock;
        this.send = send;
        this.start = start;
    }

    private static Expressions.Compiled compile(Expressions cel, String source, String path) {
        try {
            return cel.compile(source);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    /** The sources configured, by name. */
    public Map<String, Source> sources() {
        var out = new LinkedHashMap<String, Source>();
        sources.forEach((name, mapping) -> out.put(name, mapping.source()));
        return out;
    }

    /** Receives one delivery for {@code name}. */
    public WebhookAnswer receive(String name, WebhookRequest request) {
        var mapping = sources.get(name);
        if (mapping == null) {
            return new WebhookAnswer.Refused(
                    404,
                    "there is no webhook source '" + name + "'"
                            + (sources.isEmpty()
                                    ? "; declare one under sources: in aios.yaml"
                                    : "; the sources are " + String.join(", ", sources.keySet())));
        }
        var source = mapping.source();
        var body = request.body();
        if (body.length > source.maxBytes()) {
            return new WebhookAnswer.Refused(
                    413,
                    "the body is " + body.length + " bytes; source '" + name + "' takes at most " + source.maxBytes());
        }
        Optional<String> deliveryId;
        try {
            var secret = secrets.require(source.secret(), "webhook source '" + name + "'");
            deliveryId = source.scheme().verify(request.headers(), body, secret, clock.instant());
        } catch (Secrets.MissingSecret e) {
            LOG.warn("refused a delivery to webhook source '{}': {}", name, e.getMessage());
            return new WebhookAnswer.Refused(503, "webhook source '" + name + "' is not ready: its secret is not set");
        } catch (SignatureScheme.Refused e) {
            LOG.info("refused a delivery to webhook source '{}': {}", name, e.getMessage());
            return new WebhookAnswer.Refused(401, e.getMessage());
        }
        JsonNode parsed;
        try {
            parsed = Bodies.read(request.contentType(), body);
        } catch (Bodies.Unreadable e) {
            return new WebhookAnswer.Refused(e.status, e.getMessage());
        }
        var headers = JsonNodeFactory.instance.objectNode();
        request.headers().forEach(headers::put);
        Map<String, JsonNode> vars = Map.of("body", parsed, "headers", headers, "source", TextNode.valueOf(name));
        Event event;
        try {
            event = event(mapping, vars, parsed, deliveryId, body);
        } catch (IllegalArgumentException e) {
            return new WebhookAnswer.Refused(422, "source '" + name + "': " + e.getMessage());
        }
        var accepted =
                source.playbook().isPresent() ? start.apply(source.playbook().get(), event) : send.apply(event);
        var respondWith = source.sync() ? accepted.started().stream().findFirst() : Optional.<String>empty();
        return new WebhookAnswer.Received(name, accepted, respondWith);
    }

    private Event event(
            Mapping mapping, Map<String, JsonNode> vars, JsonNode body, Optional<String> deliveryId, byte[] raw) {
        var type = text(mapping.type().eval(vars), "type");
        if (!Event.isValidType(type)) {
            throw new IllegalArgumentException("type yielded '" + type
                    + "', which is not an event type (dotted lower-case words, e.g. lead.received)");
        }
        var subject =
                mapping.subject().isPresent() ? text(mapping.subject().get().eval(vars), "subject") : "";
        var id = mapping.id().isPresent()
                ? text(mapping.id().get().eval(vars), "id")
                : deliveryId.orElseGet(() -> "sha256-" + sha256(raw));
        if (id.isBlank()) {
            throw new IllegalArgumentException(
                    "id yielded an empty value; the event needs an id to recognize redeliveries");
        }
        var eventId = mapping.source().name() + ":" + id;
        if (eventId.length() > 200) {
            eventId = mapping.source().name() + ":sha256-" + sha256(id.getBytes(StandardCharsets.UTF_8));
        }
        var data =
                body.isObject() ? body : JsonNodeFactory.instance.objectNode().set("body", body);
        return new Event(eventId, type, subject, "webhook:" + mapping.source().name(), clock.instant(), data, "", "");
    }

    private static String text(JsonNode value, String what) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        if (value.isNull() || value.isMissingNode()) {
            return "";
        }
        throw new IllegalArgumentException(what + " must yield text, but yielded " + value.getNodeType());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
