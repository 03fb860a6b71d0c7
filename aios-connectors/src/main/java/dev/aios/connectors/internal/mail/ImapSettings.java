package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The incoming mail server, {@code email.imap} in {@code aios.yaml}.
 *
 * @param host the server
 * @param port its port (993 for TLS, 143 otherwise unless given)
 * @param security {@code tls}, {@code starttls} (required, not merely tried) or {@code none}
 * @param username the login
 * @param password the name of the secret holding the password
 * @param folders the folders whose new messages become events
 * @param poll how often to look when the server cannot say at once (IDLE)
 * @param trust hosts whose certificate is trusted without a certificate authority ({@code *} for all)
 * @param certificate a PEM file with the server's own certificate, trusted exactly (and no other)
 *     where no certificate authority signed it
 * @param timeout how long to wait for the server
 */
public record ImapSettings(
        String host,
        int port,
        SmtpSettings.Security security,
        String username,
        Optional<String> password,
        List<String> folders,
        Duration poll,
        Optional<String> trust,
        Optional<java.nio.file.Path> certificate,
        Duration timeout) {

    private static final List<String> KEYS = List.of(
            "host", "port", "security", "username", "password", "folders", "poll", "trust", "certificate", "timeout");

    public ImapSettings {
        folders = List.copyOf(folders);
    }

    /** The account, as positions are kept: {@code user@host}. */
    public String account() {
        return username + "@" + host;
    }

    /** Reads {@code email.imap}; empty when it is absent. */
    public static Optional<ImapSettings> read(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        var path = "email.imap";
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": must be a mapping with host, username, password, folders");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        path + ": unknown setting '" + key + "'; the settings are " + String.join(", ", KEYS));
            }
        });
        var host = text(node, "host")
                .orElseThrow(
                        () -> new IllegalArgumentException(path + ": name the server, e.g. host: imap.example.com"));
        var securityText = text(node, "security").orElse("tls");
        SmtpSettings.Security security;
        try {
            security = SmtpSettings.Security.valueOf(securityText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    path + ".security: '" + securityText + "' must be tls, starttls or none");
        }
        int port = node.has("port") ? node.get("port").asInt(-1) : security == SmtpSettings.Security.TLS ? 993 : 143;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(path + ".port: must be a port number");
        }
        var username = text(node, "username")
                .orElseThrow(
                        () -> new IllegalArgumentException(path + ": give the login, e.g. username: me@example.com"));
        var folders = new ArrayList<String>();
        var folderNode = node.get("folders");
        if (folderNode == null || folderNode.isNull()) {
            folders.add("INBOX");
        } else if (folderNode.isTextual()) {
            folders.add(folderNode.asText());
        } else if (folderNode.isArray() && !folderNode.isEmpty()) {
            folderNode.forEach(f -> {
                if (!f.isTextual() || f.asText().isBlank()) {
                    throw new IllegalArgumentException(path + ".folders: each folder is a name, e.g. [INBOX, Leads]");
                }
                folders.add(f.asText());
            });
        } else {
            throw new IllegalArgumentException(path + ".folders: a list of folder names, e.g. [INBOX, Leads]");
        }
        var poll =
                text(node, "poll").map(t -> Durations.parse(t, path + ".poll")).orElse(Duration.ofMinutes(1));
        if (poll.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException(path + ".poll: at least 1s");
        }
        var timeout = text(node, "timeout")
                .map(t -> Durations.parse(t, path + ".timeout"))
                .orElse(Duration.ofSeconds(30));
        var certificate = PinnedCertificates.setting(node, path, security == SmtpSettings.Security.NONE);
        return Optional.of(new ImapSettings(
                host,
                port,
                security,
                username,
                text(node, "password"),
                folders,
                poll,
                text(node, "trust"),
                certificate,
                timeout));
    }

    private static Optional<String> text(JsonNode node, String key) {
        var value = node.get(key);
        return value == null || value.isNull() || value.asText().isBlank()
                ? Optional.empty()
                : Optional.of(value.asText());
    }
}
