package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.connectors.internal.Secrets;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.spi.Storage;
import jakarta.mail.FetchProfile;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Email in: new messages in the configured IMAP folders become {@code email.received} events whose
 * id is the Message-ID, so a message read twice starts nothing twice. The position in each folder
 * (the highest UID read) moves only after the message's event is accepted, so a crash in between
 * reads it again rather than losing it. A message whose MIME structure cannot be read becomes an
 * {@code email.unreadable} event with its headers, the reason and the start of its source, and the
 * position moves past it: nothing is lost and nothing blocks the folder. Attachments become memory
 * documents about the sender (see {@link AttachmentMemory}).
 *
 * <p>A background loop looks every {@code poll}; where the server supports IDLE it waits on the
 * first folder and looks at once when mail arrives. On first contact with a folder, only messages
 * arriving from then on are read. Of several nodes sharing a database, the loop of the one that
 * leads ({@link dev.aios.kernel.spi.ExtensionHost#leads}) reads the mailbox for all: the others
 * stand by, holding no connection, and one of them takes over when the leader stops or goes silent.
 */
public final class ImapIntake implements AutoCloseable {
    /** The type of the event of a received message. */
    public static final String RECEIVED = "email.received";
    /** The type of the event of a message that could not be read. */
    public static final String UNREADABLE = "email.unreadable";

    private static final Logger LOG = LoggerFactory.getLogger(ImapIntake.class);
    /** The most messages turned into events in one look at a folder; the rest wait for the next. */
    static final int BATCH = 200;
    /** The largest message read; a larger one becomes an {@link #UNREADABLE} event with its headers. */
    static final int MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

    private final ImapSettings settings;
    private final Secrets secrets;
    private final ImapPositions positions;
    private final Function<Event, Accepted> send;
    private final InstantSource clock;
    private final AttachmentMemory attachments;
    private final Object signal = new Object();
    private volatile boolean running;
    /** Whether the last look left messages unread (more than {@link #BATCH} were new). */
    private volatile boolean backlog;

    private volatile Store watching;
    private Thread loop;
    private final BooleanSupplier leads;
    /** Whether the loop stood by at its last round, for saying so once when that changes. */
    private boolean standingBy;

    public ImapIntake(
            ImapSettings settings,
            Secrets secrets,
            Storage storage,
            Function<Event, Accepted> send,
            InstantSource clock,
            AttachmentMemory attachments,
            BooleanSupplier leads) {
        this.leads = leads;
        this.settings = settings;
        this.attachments = attachments;
        this.secrets = secrets;
        this.positions = new ImapPositions(storage);
        this.send = send;
        this.clock = clock;
    }

    /**
     * Reads what is new in every folder now; returns the ids of the events accepted (repeats are not
     * listed).
     *
     * @throws MailUnavailable when the server cannot be reached or refuses the login
     */
    public synchronized List<String> poll() {
        var accepted = new ArrayList<String>();
        try (var store = connect(settings.timeout())) {
            for (var name : settings.folders()) {
                accepted.addAll(read(store, name));
            }
        } catch (MessagingException e) {
            if (PinnedCertificates.untrusted(e)) {
                throw new MailUnavailable(
                        "reading mail from " + settings.account() + " failed: the server's certificate is not"
                                + " trusted (" + PinnedCertificates.rootMessage(e)
                                + "). If it is your own server's certificate, give it"
                                + " as email.imap.certificate (a PEM file) in aios.yaml; no mail was read",
                        e);
            }
            throw new MailUnavailable(
                    "reading mail from " + settings.account() + " failed: " + e.getMessage()
                            + "; check email.imap in aios.yaml and its password secret",
                    e);
        }
        return accepted;
    }

    private List<String> read(Store store, String name) throws MessagingException {
        var folder = (IMAPFolder) store.getFolder(name);
        if (!folder.exists()) {
            throw new MessagingException("folder '" + name + "' does not exist");
        }
        folder.open(Folder.READ_ONLY);
        try {
            long validity = folder.getUIDValidity();
            var known = positions.of(settings.account(), name);
            if (known.isEmpty()) {
                var start = new ImapPositions.Position(validity, Math.max(0, folder.getUIDNext() - 1));
                var marked = positions.start(settings.account(), name, start);
                if (marked.equals(start)) {
                    LOG.info(
                            "reading new mail in {} of {} from UID {} on",
                            name,
                            settings.account(),
                            start.lastUid() + 1);
                    return List.of();
                }
                // Another node sharing the database looked first: from where it marked, nothing in between is lost.
                known = Optional.of(marked);
            }
            long last;
            if (known.get().uidValidity() != validity) {
                // The server renumbered the folder: read it all again; Message-IDs keep repeats out.
                LOG.warn(
                        "folder {} of {} was renumbered (UIDVALIDITY changed); reading it again",
                        name,
                        settings.account());
                last = 0;
            } else {
                last = known.get().lastUid();
            }
            var messages = folder.getMessagesByUID(last + 1, UIDFolder.LASTUID);
            LOG.debug("{} of {}: {} messages after UID {}", name, settings.account(), messages.length, last);
            var profile = new FetchProfile();
            profile.add(UIDFolder.FetchProfileItem.UID);
            profile.add(FetchProfile.Item.ENVELOPE);
            folder.fetch(messages, profile);
            var accepted = new ArrayList<String>();
            int count = 0;
            for (Message message : messages) {
                long uid = folder.getUID(message);
                if (uid <= last) {
                    continue; // the server answers n:* with the last message even when it is old
                }
                var event = event(name, validity, uid, (MimeMessage) message);
                var outcome = send.apply(event);
                if (event.type().equals(RECEIVED)) {
                    // Before the position moves: a crash in between stores them again, under the same ids.
                    attachments.store(event);
                }
                if (!outcome.duplicate()) {
                    accepted.add(outcome.eventId());
                }
                positions.set(settings.account(), name, new ImapPositions.Position(validity, uid));
                if (++count >= BATCH) {
                    backlog = true; // look again at once rather than wait for news
                    break;
                }
            }
            return accepted;
        } finally {
            folder.close(false);
        }
    }

    private Event event(String folder, long validity, long uid, MimeMessage message) {
        ObjectNode data;
        String type = RECEIVED;
        MimeMessage local = message;
        try {
            int size = message.getSize();
            if (size > MAX_MESSAGE_BYTES) {
                throw new MessagingException(
                        "it is " + size + " bytes; messages up to " + MAX_MESSAGE_BYTES + " bytes are read");
            }
            // The whole message as it came, parsed here: what the server thinks of its structure
            // does not matter, and a broken structure is found in one place.
            local = new MimeMessage(message);
            data = MailReader.read(local);
        } catch (MessagingException | java.io.IOException | RuntimeException e) {
            data = MailReader.headers(local);
            data.put("error", "the message cannot be read: " + e.getMessage());
            data.put("raw", MailReader.raw(local));
            type = UNREADABLE;
            LOG.warn(
                    "message {} in {} of {} cannot be read ({}); it becomes an {} event",
                    uid,
                    folder,
                    settings.account(),
                    e.getMessage(),
                    UNREADABLE);
        }
        data.put("folder", folder);
        data.put("account", settings.account());
        var messageId = data.path("messageId").asText();
        var id = messageId.isBlank()
                ? "email:" + sha256(settings.account() + "/" + folder + "/" + validity + "/" + uid)
                : "email:" + (messageId.length() <= 190 ? messageId : sha256(messageId));
        if (type.equals(RECEIVED)) {
            attachments.name(id, data);
        }
        var from = data.path("from").asText();
        var received = clock.instant();
        try {
            var date = message.getReceivedDate();
            if (date != null) {
                received = date.toInstant();
            }
        } catch (MessagingException e) {
            // the time it was read, then
        }
        return new Event(
                id,
                type,
                from.length() <= 200 ? from : from.substring(0, 200),
                "email:" + settings.account(),
                received,
                data,
                "",
                "");
    }

    private Store connect(Duration timeout) throws MessagingException {
        var protocol = settings.security() == SmtpSettings.Security.TLS ? "imaps" : "imap";
        var props = new Properties();
        var millis = String.valueOf(timeout.toMillis());
        props.put("mail.store.protocol", protocol);
        props.put(
                "mail." + protocol + ".connectiontimeout",
                String.valueOf(settings.timeout().toMillis()));
        props.put("mail." + protocol + ".timeout", millis);
        props.put(
                "mail." + protocol + ".writetimeout",
                String.valueOf(settings.timeout().toMillis()));
        if (settings.security() == SmtpSettings.Security.STARTTLS) {
            props.put("mail.imap.starttls.enable", "true");
            props.put("mail.imap.starttls.required", "true");
        }
        if (settings.security() != SmtpSettings.Security.NONE) {
            props.put(
                    "mail." + protocol + ".ssl.checkserveridentity",
                    String.valueOf(settings.trust().isEmpty()));
        }
        settings.trust().ifPresent(hosts -> props.put("mail." + protocol + ".ssl.trust", hosts));
        settings.certificate().ifPresent(pem -> PinnedCertificates.use(pem, "email.imap", protocol, props));
        var store = Session.getInstance(props).getStore(protocol);
        String password;
        try {
            password = settings.password()
                    .map(n -> secrets.require(n, "email.imap"))
                    .orElse("");
        } catch (Secrets.MissingSecret e) {
            throw new MessagingException(e.getMessage());
        }
        store.connect(settings.host(), settings.port(), settings.username(), password);
        return store;
    }

    /** Starts the background loop. */
    public synchronized void start() {
        if (loop != null) {
            return;
        }
        running = true;
        loop = Thread.ofVirtual().name("aios-imap").start(this::run);
    }

    private void run() {
        while (running) {
            backlog = false;
            if (!leading()) {
                pause(settings.poll());
                continue;
            }
            try {
                poll();
            } catch (RuntimeException e) {
                LOG.warn("{}; trying again in {}", e.getMessage(), dev.aios.api.Durations.format(settings.poll()));
            }
            if (running && !backlog) {
                waitForMail();
            }
        }
    }

    /** Whether this node reads the mailbox now, saying so when that changed since the last round. */
    private boolean leading() {
        boolean leading = leads.getAsBoolean();
        if (leading == standingBy) {
            standingBy = !leading;
            LOG.info(
                    leading
                            ? "mail: this node reads {} for the nodes sharing the database"
                            : "mail: another node sharing the database reads {}; this one stands by",
                    settings.account());
        }
        return leading;
    }

    /** Waits until the server says mail arrived (IDLE), or the poll interval passed. */
    private void waitForMail() {
        try (var store = connect(settings.poll())) {
            if (store instanceof IMAPStore imap && imap.hasCapability("IDLE")) {
                watching = store;
                var folder = (IMAPFolder) store.getFolder(settings.folders().getFirst());
                folder.open(Folder.READ_ONLY);
                // IDLE returns when something changes; a quiet one may ignore the read timeout, so the
                // connection is closed after the poll interval to look again at least that often.
                var end = CompletableFuture.runAsync(
                        () -> closeQuietly(store),
                        CompletableFuture.delayedExecutor(settings.poll().toMillis(), TimeUnit.MILLISECONDS));
                try {
                    folder.idle(true);
                } finally {
                    end.cancel(false);
                }
                return;
            }
        } catch (MessagingException | RuntimeException e) {
            // A quiet IDLE ends with a read timeout; an unreachable server is reported by the next look.
            return;
        } finally {
            watching = null;
        }
        pause(settings.poll());
    }

    private static void closeQuietly(Store store) {
        try {
            store.close();
        } catch (MessagingException | RuntimeException e) {
            // it ends the wait either way
        }
    }

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void pause(Duration duration) {
        synchronized (signal) {
            try {
                TimeUnit.MILLISECONDS.timedWait(signal, Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        var store = watching;
        if (store != null) {
            try {
                store.close();
            } catch (MessagingException e) {
                // closing anyway
            }
        }
        Thread thread;
        synchronized (this) {
            thread = loop;
        }
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The mail server cannot be reached or refused the login. */
    public static final class MailUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MailUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
