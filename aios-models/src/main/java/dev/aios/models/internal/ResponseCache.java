package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
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
        return storage.read(c -> {
            try (var query = c.prepareStatement(
                    "SELECT subject, completion FROM models_cache WHERE cache_key = ? AND expires_at > ?")) {
                query.setString(1, key);
                query.setLong(2, now);
                try (var rows = query.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.<ObjectNode>empty();
                    }
                    return open(rows.getString(1), rows.getBytes(2));
                }
            }
        });
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
    void put(Connection connection, String key, String subject, ObjectNode completion) throws SQLException {
        long now = clock.millis();
        byte[] sealed = cipher.seal(subject, completion.toString().getBytes(StandardCharsets.UTF_8));
        try (var purge = connection.prepareStatement("DELETE FROM models_cache WHERE expires_at <= ?")) {
            purge.setLong(1, now);
            purge.executeUpdate();
        }
        try (var insert = connection.prepareStatement(
                "INSERT OR REPLACE INTO models_cache (cache_key, subject, completion, created_at, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
            insert.setString(1, key);
            insert.setString(2, subject);
            insert.setBytes(3, sealed);
            insert.setLong(4, now);
            insert.setLong(5, now + ttl.toMillis());
            insert.executeUpdate();
        }
    }

    /** Drops every answer made for {@code subject}. */
    void forget(String subject) {
        storage.write(c -> {
            try (var delete = c.prepareStatement("DELETE FROM models_cache WHERE subject = ?")) {
                delete.setString(1, subject);
                return delete.executeUpdate();
            }
        });
    }
}
