package dev.aios.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.aios.connectors.internal.mail.SmtpSettings;
import dev.aios.connectors.internal.webhook.Source;
import dev.aios.connectors.internal.window.WindowCalendar;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * email:
 *   smtp: { host: smtp.example.com, port: 587, security: starttls, username: me@example.com,
 *           password: SMTP_PASSWORD, from: "Studio <me@example.com>" }
 * windows:                       # batch windows steps may wait for (window: overnight)
 *   overnight: "01:00-05:00 Europe/Berlin"
 * }</pre>
 */
public final class ConnectorSettings {
    /** The sections of {@code aios.yaml} the connectors read. */
    public static final List<String> SECTIONS = List.of("sources", "windows", "email");

    private final Map<String, Source> sources;
    private final WindowCalendar windows;
    private final Optional<SmtpSettings> smtp;

    private ConnectorSettings(Map<String, Source> sources, WindowCalendar windows, Optional<SmtpSettings> smtp) {
        this.sources = Map.copyOf(sources);
        this.windows = windows;
        this.smtp = smtp;
    }

    /** No connectors configured. */
    public static ConnectorSettings none() {
        return new ConnectorSettings(Map.of(), WindowCalendar.read(MissingNode.getInstance()), Optional.empty());
    }

    /**
     * Reads the connectors' sections.
     *
     * @param section a section of {@code aios.yaml} by name; a missing node when absent
     * @throws IllegalArgumentException naming the setting that is wrong and what to write
     */
    public static ConnectorSettings read(Function<String, JsonNode> section) {
        return new ConnectorSettings(
                Source.readAll(orMissing(section.apply("sources"))),
                WindowCalendar.read(orMissing(section.apply("windows"))),
                email(orMissing(section.apply("email"))));
    }

    private static Optional<SmtpSettings> email(JsonNode email) {
        if (!email.isMissingNode() && !email.isNull() && !email.isObject()) {
            throw new IllegalArgumentException("email: must be a mapping with smtp: (and imap:)");
        }
        email.fieldNames().forEachRemaining(key -> {
            if (!key.equals("smtp")) {
                throw new IllegalArgumentException("email: unknown part '" + key + "'; the parts are smtp");
            }
        });
        return SmtpSettings.read(email.get("smtp"));
    }

    private static JsonNode orMissing(JsonNode node) {
        return node == null ? MissingNode.getInstance() : node;
    }

    /** The outgoing mail server, if one is configured. */
    public Optional<SmtpSettings> smtp() {
        return smtp;
    }

    /** The batch windows. */
    public WindowCalendar windows() {
        return windows;
    }

    /** The webhook sources by name. */
    public Map<String, Source> sources() {
        return sources;
    }
}
