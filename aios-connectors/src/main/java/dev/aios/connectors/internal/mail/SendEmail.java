package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.AgentContext;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.OperatorNeeded;
import dev.aios.api.PermanentFailure;
import dev.aios.connectors.internal.Secrets;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * The {@code send-email} agent: sends one email through the configured SMTP server as an effect
 * ({@code email:send}), so a step that runs again gets its receipt instead of sending twice. The
 * effect's idempotency key becomes the Message-ID, so even a send repeated after a crash between
 * sending and recording is recognizably the same message. Without a server configured, the email
 * becomes a task for the operator to send by hand.
 */
public final class SendEmail implements JsonAgent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonContract CONTRACT = new JsonContract(
            "send-email",
            "1.0.0",
            "Sends an email through the configured SMTP server, once.",
            schema("""
                    {"type": "object",
                     "properties": {
                       "to": {"type": "string", "minLength": 3},
                       "cc": {"type": "string"},
                       "replyTo": {"type": "string"},
                       "subject": {"type": "string"},
                       "text": {"type": "string"},
                       "html": {"type": "string"},
                       "inReplyTo": {"type": "string"}},
                     "required": ["to", "subject", "text"],
                     "additionalProperties": false}
                    """),
            schema("""
                    {"type": "object",
                     "properties": {
                       "messageId": {"type": "string"},
                       "to": {"type": "string"},
                       "subject": {"type": "string"},
                       "sent": {"type": "boolean"}},
                     "required": ["messageId", "to", "subject"]}
                    """),
            List.of(),
            Set.of("email"),
            Duration.ofMinutes(2));

    private final Optional<SmtpSettings> smtp;
    private final Secrets secrets;

    public SendEmail(Optional<SmtpSettings> smtp, Secrets secrets) {
        this.smtp = smtp;
        this.secrets = secrets;
    }

    @Override
    public JsonContract contract() {
        return CONTRACT;
    }

    @Override
    public JsonNode run(JsonNode input, AgentContext context) throws Exception {
        if (smtp.isEmpty()) {
            var draft = ((ObjectNode) input.deepCopy());
            draft.put("messageId", "sent by hand");
            draft.put("sent", false);
            throw new OperatorNeeded(
                    "Send this email to " + input.path("to").asText() + " yourself",
                    "no SMTP server is configured (email.smtp in aios.yaml), so aios cannot send it;"
                            + " send it from your mail program and approve, or reject to stop",
                    draft);
        }
        var settings = smtp.get();
        return context.effect("email:send", JsonNode.class, key -> send(settings, input, key));
    }

    private JsonNode send(SmtpSettings settings, JsonNode input, String key) throws Exception {
        var session = Session.getInstance(properties(settings));
        var messageId = "<" + sha256(key).substring(0, 32) + "@" + settings.domain() + ">";
        var message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        try {
            message.setFrom(new InternetAddress(settings.from(), true));
            message.setRecipients(
                    Message.RecipientType.TO,
                    InternetAddress.parse(input.path("to").asText(), true));
            if (input.hasNonNull("cc")) {
                message.setRecipients(
                        Message.RecipientType.CC,
                        InternetAddress.parse(input.path("cc").asText(), true));
            }
            if (input.hasNonNull("replyTo")) {
                message.setReplyTo(InternetAddress.parse(input.path("replyTo").asText(), true));
            }
        } catch (AddressException e) {
            throw new PermanentFailure("an address is not valid: " + e.getMessage(), e);
        }
        if (input.hasNonNull("inReplyTo")) {
            message.setHeader("In-Reply-To", input.path("inReplyTo").asText());
            message.setHeader("References", input.path("inReplyTo").asText());
        }
        message.setSubject(input.path("subject").asText(), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        if (input.hasNonNull("html")) {
            var alternative = new jakarta.mail.internet.MimeMultipart("alternative");
            var text = new jakarta.mail.internet.MimeBodyPart();
            text.setText(input.path("text").asText(), StandardCharsets.UTF_8.name());
            var html = new jakarta.mail.internet.MimeBodyPart();
            html.setText(input.path("html").asText(), StandardCharsets.UTF_8.name(), "html");
            alternative.addBodyPart(text);
            alternative.addBodyPart(html);
            message.setContent(alternative);
        } else {
            message.setText(input.path("text").asText(), StandardCharsets.UTF_8.name());
        }
        message.saveChanges();
        try {
            var password = settings.password().map(name -> secrets.require(name, "email.smtp"));
            if (settings.username().isPresent()) {
                Transport.send(message, settings.username().get(), password.orElse(""));
            } else {
                Transport.send(message);
            }
        } catch (AuthenticationFailedException e) {
            throw new PermanentFailure(
                    "the SMTP server refused the login of "
                            + settings.username().orElse("(none)")
                            + "; check email.smtp.username and its password secret, then retry",
                    e);
        } catch (SendFailedException e) {
            if (e.getInvalidAddresses() != null && e.getInvalidAddresses().length > 0) {
                throw new PermanentFailure("the SMTP server refused the recipients: " + e.getMessage(), e);
            }
            throw e;
        } catch (Secrets.MissingSecret e) {
            throw new PermanentFailure(e.getMessage(), e);
        } catch (MessagingException e) {
            if (PinnedCertificates.untrusted(e)) {
                throw new PermanentFailure(
                        "the SMTP server's certificate is not trusted (" + PinnedCertificates.rootMessage(e)
                                + "), so nothing was sent. If it is your own server's certificate, give it as"
                                + " email.smtp.certificate (a PEM file) in aios.yaml, then retry",
                        e);
            }
            throw e;
        }
        var receipt = JSON.createObjectNode();
        receipt.put("messageId", messageId);
        receipt.put("to", input.path("to").asText());
        receipt.put("subject", input.path("subject").asText());
        receipt.put("sent", true);
        return receipt;
    }

    private static Properties properties(SmtpSettings settings) {
        var props = new Properties();
        var millis = String.valueOf(settings.timeout().toMillis());
        var protocol = settings.security() == SmtpSettings.Security.TLS ? "smtps" : "smtp";
        props.put("mail.transport.protocol", protocol);
        props.put("mail.transport.protocol.rfc822", protocol);
        props.put("mail." + protocol + ".host", settings.host());
        props.put("mail." + protocol + ".port", String.valueOf(settings.port()));
        props.put("mail." + protocol + ".connectiontimeout", millis);
        props.put("mail." + protocol + ".timeout", millis);
        props.put("mail." + protocol + ".writetimeout", millis);
        props.put(
                "mail." + protocol + ".auth", String.valueOf(settings.username().isPresent()));
        if (settings.security() == SmtpSettings.Security.STARTTLS) {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
        }
        if (settings.security() == SmtpSettings.Security.TLS) {
            props.put("mail.smtps.ssl.enable", "true");
        }
        if (settings.security() != SmtpSettings.Security.NONE) {
            props.put(
                    "mail." + protocol + ".ssl.checkserveridentity",
                    String.valueOf(settings.trust().isEmpty()));
        }
        settings.trust().ifPresent(hosts -> props.put("mail." + protocol + ".ssl.trust", hosts));
        settings.certificate().ifPresent(pem -> PinnedCertificates.use(pem, "email.smtp", protocol, props));
        return props;
    }

    private static String sha256(String text) throws NoSuchAlgorithmException {
        return HexFormat.of()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
