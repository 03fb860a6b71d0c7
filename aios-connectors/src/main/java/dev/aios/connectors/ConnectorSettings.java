package dev.aios.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.aios.connectors.internal.delivery.Subscription;
import dev.aios.connectors.internal.mail.ImapSettings;
import dev.aios.connectors.internal.mail.SmtpSettings;
import dev.aios.connectors.internal.mcp.McpServerSettings;
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
 *   imap: { host: imap.example.com, username: me@example.com, password: IMAP_PASSWORD,
 *           folders: [INBOX], poll: 1m }   # new mail becomes email.received events
 * mcp:                           # MCP servers whose tools steps call (agent: mcp)
 *   everything: { command: [npx, -y, "@modelcontextprotocol/server-everything"] }
 * subscriptions:                 # outgoing webhooks, signed (Standard Webhooks) and retried
 *   crm: { url: https://crm.example.com/hooks, events: [lead.*, run.completed], secret: CRM_SECRET }
 * windows:                       # batch windows steps may wait for (window: overnight)
 *   overnight: "01:00-05:00 Europe/Berlin"
 * }</pre>
 */
public final class ConnectorSettings {
    /** The sections of {@code aios.yaml} the connectors read. */
    public static final List<String> SECTIONS = List.of("sources", "windows", "email", "mcp", "subscriptions");

    private final Map<String, Source> sources;
    private final WindowCalendar windows;
    private final Optional<SmtpSettings> smtp;
    private final Optional<ImapSettings> imap;
    private final Map<String, McpServerSettings> mcp;
    private final Map<String, Subscription> subscriptions;

    private ConnectorSettings(
            Map<String, Source> sources,
            WindowCalendar windows,
            Optional<SmtpSettings> smtp,
            Optional<ImapSettings> imap,
            Map<String, McpServerSettings> mcp,
            Map<String, Subscription> subscriptions) {
        this.sources = Map.copyOf(sources);
        this.subscriptions = Map.copyOf(subscriptions);
        this.mcp = Map.copyOf(mcp);
        this.windows = windows;
        this.smtp = smtp;
        this.imap = imap;
    }

    /** No connectors configured. */
    public static ConnectorSettings none() {
        return new ConnectorSettings(
                Map.of(),
                WindowCalendar.read(MissingNode.getInstance()),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                Map.of());
    }

    /**
     * Reads the connectors' sections.
     *
     * @param section a section of {@code aios.yaml} by name; a missing node when absent
     * @throws IllegalArgumentException naming the setting that is wrong and what to write
     */
    public static ConnectorSettings read(Function<String, JsonNode> section) {
        var email = orMissing(section.apply("email"));
        checkEmail(email);
        return new ConnectorSettings(
                Source.readAll(orMissing(section.apply("sources"))),
                WindowCalendar.read(orMissing(section.apply("windows"))),
                SmtpSettings.read(email.get("smtp")),
                ImapSettings.read(email.get("imap")),
                McpServerSettings.readAll(orMissing(section.apply("mcp"))),
                Subscription.readAll(orMissing(section.apply("subscriptions"))));
    }

    private static void checkEmail(JsonNode email) {
        if (!email.isMissingNode() && !email.isNull() && !email.isObject()) {
            throw new IllegalArgumentException("email: must be a mapping with smtp: (and imap:)");
        }
        email.fieldNames().forEachRemaining(key -> {
            if (!key.equals("smtp") && !key.equals("imap")) {
                throw new IllegalArgumentException("email: unknown part '" + key + "'; the parts are smtp and imap");
            }
        });
    }

    private static JsonNode orMissing(JsonNode node) {
        return node == null ? MissingNode.getInstance() : node;
    }

    /** The names of the secrets these settings refer to. */
    public List<String> secretNames() {
        var names = new java.util.TreeSet<String>();
        sources.values().forEach(source -> names.add(source.secret()));
        smtp.flatMap(SmtpSettings::password).ifPresent(names::add);
        imap.flatMap(ImapSettings::password).ifPresent(names::add);
        mcp.values().forEach(server -> names.addAll(server.secretNames()));
        subscriptions.values().forEach(subscription -> names.add(subscription.secret()));
        return List.copyOf(names);
    }

    /** The outgoing mail server, if one is configured. */
    public Optional<SmtpSettings> smtp() {
        return smtp;
    }

    /** The incoming mail server, if one is configured. */
    public Optional<ImapSettings> imap() {
        return imap;
    }

    /** The MCP servers whose tools steps may call, by name. */
    public Map<String, McpServerSettings> mcp() {
        return mcp;
    }

    /** The outgoing webhook subscriptions, by name. */
    public Map<String, Subscription> subscriptions() {
        return subscriptions;
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
