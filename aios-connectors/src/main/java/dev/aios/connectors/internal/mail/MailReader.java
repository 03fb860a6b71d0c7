package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a received message into the data of an {@code email.received} event: from, to, cc,
 * subject, date, text (and html), the Message-ID and the message it answers, and its attachments
 * (name, type, size, the text of text attachments, and what of each memory keeps: {@code text},
 * {@code metadata} or {@code skipped}, with a note saying why). Everything is bounded, so one huge message
 * cannot become a huge event.
 */
final class MailReader {
    /** The most text of a body or of a text attachment kept in an event. */
    static final int MAX_TEXT = 256 * 1024;
    /** The most attachments listed. */
    static final int MAX_ATTACHMENTS = 50;
    /** How much of an unreadable message's source is kept in its event. */
    static final int MAX_RAW = 64 * 1024;

    private MailReader() {}

    /**
     * The event data of {@code message}.
     *
     * @throws MessagingException or IOException when the message's MIME structure cannot be read
     */
    static ObjectNode read(MimeMessage message) throws MessagingException, IOException {
        var data = headers(message);
        var body = new Body();
        walk(message, body, 0);
        var text = body.text != null ? body.text : body.html != null ? stripTags(body.html) : "";
        data.put("text", bound(text));
        if (body.html != null) {
            data.put("html", bound(body.html));
        }
        data.set("attachments", body.attachments);
        return data;
    }

    /** The headers that can still be read from a message whose body cannot. */
    static ObjectNode headers(MimeMessage message) {
        var data = JsonNodeFactory.instance.objectNode();
        data.put("messageId", safe(message::getMessageID).orElse(""));
        data.put("from", safe(() -> first(message.getFrom())).orElse(""));
        data.put("fromName", safe(() -> name(message.getFrom())).orElse(""));
        data.set(
                "to",
                addresses(safe(() -> message.getRecipients(Message.RecipientType.TO))
                        .orElse(null)));
        data.set(
                "cc",
                addresses(safe(() -> message.getRecipients(Message.RecipientType.CC))
                        .orElse(null)));
        data.put("subject", safe(message::getSubject).orElse(""));
        safe(message::getSentDate)
                .ifPresent(date -> data.put("date", date.toInstant().toString()));
        safe(() -> message.getHeader("In-Reply-To", null)).ifPresent(value -> data.put("inReplyTo", value));
        return data;
    }

    /** The first {@link #MAX_RAW} bytes of the message as it came, to keep with an unreadable one. */
    static String raw(MimeMessage message) {
        var out = new ByteArrayOutputStream();
        try (InputStream in = message.getRawInputStream()) {
            out.write(safe(() -> message.getAllHeaderLines())
                    .map(MailReader::joinHeaders)
                    .orElse("")
                    .getBytes(StandardCharsets.UTF_8));
            out.write(in.readNBytes(MAX_RAW));
        } catch (IOException | MessagingException | RuntimeException e) {
            // What could be read is kept; the event says why the rest could not.
        }
        var bytes = out.toByteArray();
        return new String(bytes, 0, Math.min(bytes.length, MAX_RAW), StandardCharsets.UTF_8);
    }

    private static String joinHeaders(java.util.Enumeration<String> lines) {
        var out = new StringBuilder();
        while (lines.hasMoreElements()) {
            out.append(lines.nextElement()).append("\r\n");
        }
        return out.append("\r\n").toString();
    }

    private static final class Body {
        String text;
        String html;
        final ArrayNode attachments = JsonNodeFactory.instance.arrayNode();
    }

    private static void walk(Part part, Body body, int depth) throws MessagingException, IOException {
        if (depth > 20) {
            throw new MessagingException("the message nests parts more than 20 deep");
        }
        var disposition = part.getDisposition();
        boolean attached = Part.ATTACHMENT.equalsIgnoreCase(disposition) || part.getFileName() != null;
        if (part.isMimeType("multipart/*")) {
            var content = part.getContent();
            if (!(content instanceof Multipart multipart)) {
                throw new MessagingException("a multipart part has no parts");
            }
            for (int i = 0; i < multipart.getCount(); i++) {
                walk(multipart.getBodyPart(i), body, depth + 1);
            }
        } else if (!attached && part.isMimeType("text/plain") && body.text == null) {
            body.text = String.valueOf(part.getContent());
        } else if (!attached && part.isMimeType("text/html") && body.html == null) {
            body.html = String.valueOf(part.getContent());
        } else if (body.attachments.size() < MAX_ATTACHMENTS) {
            attachment(part, body.attachments);
        }
    }

    private static void attachment(Part part, ArrayNode attachments) throws MessagingException, IOException {
        var entry = attachments.addObject();
        entry.put("name", Optional.ofNullable(part.getFileName()).orElse("attachment-" + attachments.size()));
        var type = part.getContentType() == null ? "application/octet-stream" : part.getContentType();
        int semicolon = type.indexOf(';');
        entry.put(
                "contentType",
                (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT));
        try (var in = part.getInputStream()) {
            // Read through, so a broken encoding is found now, and measure the decoded size.
            var head = in.readNBytes(MAX_TEXT);
            long size = head.length + in.transferTo(OutputStreamSink.INSTANCE);
            entry.put("size", size);
            if (part.isMimeType("text/*")) {
                entry.put("text", new String(head, StandardCharsets.UTF_8));
            }
            if (!part.isMimeType("text/*")) {
                entry.put("memory", AttachmentMemory.Stored.METADATA.wire());
                entry.put(
                        "note",
                        "kept as name, type and size only: aios stores the text of text attachments, and has no"
                                + " reader for " + entry.path("contentType").asText());
            } else if (size > MAX_TEXT) {
                entry.put("memory", AttachmentMemory.Stored.SKIPPED.wire());
                entry.put(
                        "note",
                        "not stored in memory: it is " + size / 1024 + " kB, more than the " + MAX_TEXT / 1024
                                + " kB aios stores of an attachment; the event holds its first " + MAX_TEXT / 1024
                                + " kB");
            } else {
                entry.put("memory", AttachmentMemory.Stored.TEXT.wire());
            }
        }
    }

    /** Counts and drops what it is given. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }

    private static String first(Address[] addresses) {
        if (addresses == null || addresses.length == 0) {
            return "";
        }
        return addresses[0] instanceof InternetAddress internet
                ? internet.getAddress().toLowerCase(Locale.ROOT)
                : addresses[0].toString();
    }

    private static String name(Address[] addresses) {
        if (addresses != null && addresses.length > 0 && addresses[0] instanceof InternetAddress internet) {
            return Optional.ofNullable(internet.getPersonal()).orElse("");
        }
        return "";
    }

    private static ArrayNode addresses(Address[] addresses) {
        var out = JsonNodeFactory.instance.arrayNode();
        if (addresses != null) {
            for (var address : addresses) {
                out.add(
                        address instanceof InternetAddress internet
                                ? internet.getAddress().toLowerCase(Locale.ROOT)
                                : address.toString());
            }
        }
        return out;
    }

    private static String stripTags(String html) {
        return html.replaceAll("(?s)<(script|style)[^>]*>.*?</\\1>", " ")
                .replaceAll("<[^>]+>", " ")
                .replaceAll("[ \\t]+", " ")
                .strip();
    }

    private static String bound(String text) {
        return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT);
    }

    private interface Read<T> {
        T get() throws Exception;
    }

    private static <T> Optional<T> safe(Read<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
