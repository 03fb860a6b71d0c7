package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The outgoing mail server, {@code email.smtp} in {@code aios.yaml}.
 *
 * @param host the server
 * @param port its port (587 for STARTTLS, 465 for TLS, 25 for none unless given)
 * @param security {@code starttls} (required, not merely tried), {@code tls}, or {@code none}
 * @param username the login, if the server asks for one
 * @param password the name of the secret holding the password
 * @param from the sender, e.g. {@code Studio <hello@studio.test>}
 * @param domain the domain of Message-IDs (from the sender's address unless given)
 * @param trust hosts whose certificate is trusted without a certificate authority ({@code *} for all)
 * @param certificate a PEM file with the server's own certificate, trusted exactly (and no other)
 *     where no certificate authority signed it
 * @param timeout how long to wait for the server
 */
public record SmtpSettings(
        String host,
        int port,
        Security security,
        Optional<String> username,
        Optional<String> password,
        String from,
        String domain,
        Optional<String> trust,
        Optional<java.nio.file.Path> certificate,
        Duration timeout) {

    /** How the connection is protected. */
    public enum Security {
        STARTTLS,
        TLS,
        NONE
    }

    private static final List<String> KEYS = List.of(
            "host", "port", "security", "username", "password", "from", "domain", "trust", "certificate", "timeout");

    /** Reads {@code email.smtp}; empty when it is absent. */
    public static Optional<SmtpSettings> read(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return Optional.empty();
        }
        var path = "email.smtp";
        node.fieldNames().forEachRemaining(key -> {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(
                        path + ": unknown setting '" + key + "'; the settings are " + String.join(", ", KEYS));
            }
        });
        var host = text(node, "host")
                .orElseThrow(
                        () -> new IllegalArgumentException(path + ": name the server, e.g. host: smtp.example.com"));
        var securityText = text(node, "security").orElse("starttls");
        Security security;
        try {
            security = Security.valueOf(securityText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    path + ".security: '" + securityText + "' must be starttls, tls or none");
        }
        int port = node.has("port")
                ? node.get("port").asInt(-1)
                : switch (security) {
                    case STARTTLS -> 587;
                    case TLS -> 465;
                    case NONE -> 25;
                };
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(path + ".port: must be a port number");
        }
        var from = text(node, "from")
                .orElseThrow(() -> new IllegalArgumentException(
                        path + ": say who sends, e.g. from: \"Studio <hello@studio.test>\""));
        var address =
                from.contains("<") ? from.substring(from.indexOf('<') + 1, from.indexOf('>', from.indexOf('<'))) : from;
        if (!address.contains("@")) {
            throw new IllegalArgumentException(path + ".from: '" + from + "' has no email address");
        }
        var domain = text(node, "domain")
                .orElse(address.substring(address.indexOf('@') + 1).strip());
        var timeout = text(node, "timeout")
                .map(t -> Durations.parse(t, path + ".timeout"))
                .orElse(Duration.ofSeconds(30));
        var certificate = PinnedCertificates.setting(node, path, security == Security.NONE);
        return Optional.of(new SmtpSettings(
                host,
                port,
                security,
                text(node, "username"),
                text(node, "password"),
                from,
                domain,
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
