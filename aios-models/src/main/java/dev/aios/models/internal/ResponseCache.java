package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Answers already paid for, by a hash of everything that shapes them (provider, model, messages,
 * schema, tools, answer length), kept for a time to live. An answer is sealed for the subject it was
 * made for: forgetting the subject drops it.
 */
final class ResponseCache {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Storage storage;
    private final SubjectCipher cipher;
    private final InstantSource clock;
    private final Duration ttl;

    ResponseCache(Storage storage, SubjectCipher cipher, InstantSource clock, Duration ttl) {
        this.storage = storage;
        this.cipher = cipher;
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Whether answers are cached at all (a time to live of zero turns the cache off). */
    boolean enabled() {
        return !ttl.isZero();
    }

    /** The key of a request: the hash of its canonical JSON. */
    static String key(String provider, String model, JsonNode request) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update((provider + "\n" + model + "\n").getBytes(StandardCharsets.UTF_8));
            digest.update(request.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer cached under {@code key}, unless it expired or its subject was forgotten. */
    Optional<ObjectNode> find(String key) {
        if (!enabled()) {
            return Optional.empty();
        }
        long now = clock.millis();
        return storage.read(h -> h.queryOne(
                        "SELECT subject, completion FROM models_cache WHERE cache_key = ? AND expires_at > ?",
                        row -> open(row.text("subject"), row.bytes("completion")),
                        key,
                        now))
                .flatMap(found -> found);
    }

    private Optional<ObjectNode> open(String subject, byte[] sealed) {
        try {
            var json = MAPPER.readTree(cipher.open(subject, sealed));
            return json instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
        } catch (SubjectCipher.ForgottenException | IOException e) {
            return Optional.empty();
        }
    }

    /** Keeps an answer, inside a unit of work of the kernel's writer; drops expired ones on the way. */
    void put(Handle h, String key, String subject, ObjectNode completion) {
        long now = clock.millis();
        byte[] sealed = cipher.seal(subject, completion.toString().getBytes(StandardCharsets.UTF_8));
        h.update("DELETE FROM models_cache WHERE expires_at <= ?", now);
        h.update(
                "INSERT INTO models_cache (cache_key, subject, completion, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT (cache_key) DO UPDATE SET subject = excluded.subject,"
                        + " completion = excluded.completion, created_at = excluded.created_at,"
                        + " expires_at = excluded.expires_at",
                key,
                subject,
                sealed,
                now,
                now + ttl.toMillis());
    }

    /** Drops every answer made for {@code subject}. */
    void forget(String subject) {
        storage.write(h -> h.update("DELETE FROM models_cache WHERE subject = ?", subject));
    }
}
