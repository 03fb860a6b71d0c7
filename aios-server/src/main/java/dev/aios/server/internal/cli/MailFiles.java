package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.server.internal.Json;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Email as memory items: the messages of an mbox file (mboxo or mboxrd, each message after a
 * {@code From } line) or of a Maildir folder ({@code cur/} and {@code new/}), one item of kind
 * {@code email} each. Its text is the subject, sender and date, then the message's text (the plain
 * part, else the HTML part as text); attachments are noted by name, type and size, not imported.
 */
final class MailFiles {
    private static final Session SESSION = Session.getInstance(new Properties());
    private static final Pattern ESCAPED_FROM = Pattern.compile("^>+From ");
    private static final Pattern DROPPED_HTML = Pattern.compile("(?is)<(script|style|head)\\b.*?</\\1\\s*>|<!--.*?-->");
    private static final Pattern BREAKS = Pattern.compile("(?i)<br\\s*/?>|</(p|div|li|tr|h[1-6])\\s*>");
    private static final Pattern TAGS = Pattern.compile("(?s)<[^>]*>");

    /** A message read: where it is ({@code FILE:LINE} or a Maildir file) and the item's fields. */
    record Read(String where, ObjectNode body) {}

    /** What reading found: the items, and the messages that could not be read with the reason. */
    interface Sink {
        void item(Read read);

        void bad(String line);
    }

    private MailFiles() {}

    /** Whether {@code file} is named as an mbox file. */
    static boolean isMbox(Path file) {
        var name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".mbox") || name.endsWith(".mbx");
    }

    /** Whether {@code directory} is a Maildir folder: it has {@code cur/} and {@code new/}. */
    static boolean isMaildir(Path directory) {
        return Files.isDirectory(directory.resolve("cur")) && Files.isDirectory(directory.resolve("new"));
    }

    /** Reads every message of an mbox file, in file order. */
    static void mbox(Path file, String subject, Sink sink) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            var message = new ByteArrayOutputStream();
            int line = 0;
            int startLine = 0;
            boolean blankBefore = true;
            byte[] bytes;
            while ((bytes = readLine(in)) != null) {
                line++;
                var text = new String(bytes, StandardCharsets.ISO_8859_1);
                if (blankBefore && text.startsWith("From ")) {
                    if (startLine > 0) {
                        message(file + ":" + startLine, message.toByteArray(), file, subject, sink);
                    }
                    message.reset();
                    startLine = line;
                } else if (startLine == 0) {
                    if (!text.isBlank()) {
                        sink.bad(file + ":" + line + ": not an mbox file: each message starts with a line"
                                + " 'From SENDER DATE' (export the folder as mbox from the mail program)");
                        return;
                    }
                } else {
                    var unescaped = ESCAPED_FROM.matcher(text).find() ? dropFirst(bytes) : bytes;
                    message.write(unescaped);
                }
                blankBefore = text.strip().isEmpty();
            }
            if (startLine > 0) {
                message(file + ":" + startLine, message.toByteArray(), file, subject, sink);
            } else {
                sink.bad(file + ": no messages in it");
            }
        } catch (IOException e) {
            sink.bad(file + ": cannot be read: " + e.getMessage());
        }
    }

    /** Reads every message of a Maildir folder ({@code cur/} then {@code new/}), in name order. */
    static void maildir(Path directory, String subject, Sink sink) {
        for (var part : List.of("cur", "new")) {
            List<Path> files;
            try (Stream<Path> list = Files.list(directory.resolve(part))) {
                files = list.filter(Files::isRegularFile)
                        .filter(f -> !f.getFileName().toString().startsWith("."))
                        .sorted()
                        .toList();
            } catch (IOException e) {
                sink.bad(directory.resolve(part) + ": cannot be read: " + e.getMessage());
                continue;
            }
            for (var file : files) {
                try {
                    message(file.toString(), Files.readAllBytes(file), directory, subject, sink);
                } catch (IOException e) {
                    sink.bad(file + ": cannot be read: " + e.getMessage());
                }
            }
        }
    }

    private static void message(String where, byte[] raw, Path source, String subject, Sink sink) {
        try {
            var message = new MimeMessage(SESSION, new ByteArrayInputStream(raw));
            var attachments = new ArrayList<ObjectNode>();
            var text = text(message, attachments).strip();
            var body = Json.mapper().createObjectNode();
            body.put("kind", "email").put("subject", subject);
            var metadata = body.putObject("metadata");
            metadata.put("source", source.getFileName().toString());
            var header = new StringBuilder();
            var title = message.getSubject();
            if (title != null) {
                metadata.put("subject", title);
                header.append("Subject: ").append(title).append('\n');
            }
            var from = addresses(message.getFrom());
            if (!from.isEmpty()) {
                metadata.put("from", from);
                header.append("From: ").append(from).append('\n');
            }
            var to = addresses(message.getRecipients(jakarta.mail.Message.RecipientType.TO));
            if (!to.isEmpty()) {
                metadata.put("to", to);
            }
            var sent = message.getSentDate();
            if (sent != null) {
                metadata.put("date", sent.toInstant().toString());
                header.append("Date: ").append(sent.toInstant()).append('\n');
            }
            if (message.getMessageID() != null) {
                metadata.put("messageId", message.getMessageID());
            }
            if (header.isEmpty() && text.isEmpty()) {
                sink.bad(where + ": not an email message: no headers and no text");
                return;
            }
            var all = new StringBuilder(header).append('\n').append(text);
            if (!attachments.isEmpty()) {
                metadata.putArray("attachments").addAll(attachments);
                all.append("\n\nAttachments: ");
                for (int i = 0; i < attachments.size(); i++) {
                    var a = attachments.get(i);
                    all.append(i == 0 ? "" : ", ")
                            .append(a.path("name").asText())
                            .append(" (")
                            .append(a.path("type").asText())
                            .append(')');
                }
            }
            body.put("text", all.toString().strip());
            sink.item(new Read(where, body));
        } catch (MessagingException | IOException e) {
            sink.bad(where + ": the message cannot be read: " + e.getMessage());
        }
    }

    /** The text of a part; attachments are noted in {@code attachments} instead. */
    private static String text(Part part, List<ObjectNode> attachments) throws MessagingException, IOException {
        if (isAttachment(part)) {
            var noted = Json.mapper().createObjectNode();
            noted.put("name", name(part));
            noted.put("type", baseType(part));
            if (part.getSize() >= 0) {
                noted.put("bytes", part.getSize());
            }
            attachments.add(noted);
            return "";
        }
        if (part.isMimeType("text/plain")) {
            return String.valueOf(part.getContent());
        }
        if (part.isMimeType("text/html")) {
            return html(String.valueOf(part.getContent()));
        }
        if (part.isMimeType("multipart/alternative")) {
            var multipart = (Multipart) part.getContent();
            String best = "";
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                if (child.isMimeType("text/plain")) {
                    return String.valueOf(child.getContent());
                }
                if (best.isEmpty()) {
                    best = text(child, attachments);
                }
            }
            return best;
        }
        if (part.isMimeType("multipart/*")) {
            var multipart = (Multipart) part.getContent();
            var joined = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                var child = text(multipart.getBodyPart(i), attachments).strip();
                if (!child.isEmpty()) {
                    joined.append(joined.isEmpty() ? "" : "\n\n").append(child);
                }
            }
            return joined.toString();
        }
        if (part.isMimeType("message/rfc822") && part.getContent() instanceof Part forwarded) {
            return text(forwarded, attachments);
        }
        return "";
    }

    private static boolean isAttachment(Part part) throws MessagingException {
        return Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())
                || (part.getFileName() != null && !part.isMimeType("multipart/*"))
                || !(part.isMimeType("text/*") || part.isMimeType("multipart/*") || part.isMimeType("message/rfc822"));
    }

    private static String name(Part part) throws MessagingException {
        var name = part.getFileName();
        if (name == null) {
            return "unnamed";
        }
        try {
            return MimeUtility.decodeText(name);
        } catch (java.io.UnsupportedEncodingException e) {
            return name;
        }
    }

    private static String baseType(Part part) throws MessagingException {
        var type = part.getContentType();
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static String addresses(jakarta.mail.Address[] addresses) {
        if (addresses == null) {
            return "";
        }
        var out = new ArrayList<String>();
        for (var address : addresses) {
            if (address instanceof InternetAddress internet && internet.getPersonal() != null) {
                out.add(internet.getPersonal() + " <" + internet.getAddress() + ">");
            } else if (address instanceof InternetAddress internet) {
                out.add(internet.getAddress());
            } else {
                out.add(address.toString());
            }
        }
        return String.join(", ", out);
    }

    /** HTML as text: no scripts, styles or tags; line breaks where blocks end; the common entities. */
    static String html(String html) {
        var text = DROPPED_HTML.matcher(html).replaceAll("");
        text = BREAKS.matcher(text).replaceAll("\n");
        text = TAGS.matcher(text).replaceAll("");
        text = text.replace("&nbsp;", " ")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
        return text.replaceAll("[ \\t]+", " ")
                .replaceAll("\\n\\s*\\n\\s*\\n+", "\n\n")
                .strip();
    }

    /** One line with its line end, or null at the end. */
    private static byte[] readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
    }

    private static byte[] dropFirst(byte[] bytes) {
        return java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    }
}
