package dev.aios.kernel.internal.journal;

import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.SubjectCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-subject AES-256-GCM keys, kept in the database wrapped by the {@link MasterKey} (which is not
 * in the database) and created on first use. A sealed payload is
 * its 12-byte nonce followed by the ciphertext and tag; the key's generation travels in the codec
 * name ({@code aes-gcm:3}), so a subject forgotten and then seen again gets a fresh key.
 */
public final class SubjectKeys implements SubjectCipher, PayloadCodec {
    private static final String PREFIX = "aes-gcm:";
    private static final int NONCE_BYTES = 12;
    private static final String PURPOSE = "subject-key";

    private record Key(long generation, Optional<SecretKey> secret) {}

    private final Database db;
    private final InstantSource clock;
    private final MasterKey master;
    private final SecureRandom random = new SecureRandom();
    /** The current generation of each subject whose key was committed. */
    private final Map<String, Key> current = new ConcurrentHashMap<>();

    /** The keys of {@code db}, wrapped by the master key of its data directory. */
    public SubjectKeys(Database db, InstantSource clock) {
        this(db, clock, MasterKey.of(db.file().getParent()));
    }

    public SubjectKeys(Database db, InstantSource clock, MasterKey master) {
        this.db = db;
        this.clock = clock;
        this.master = master;
    }

    /**
     * Wraps the keys that older versions stored bare, and checks that the master key opens the
     * stored ones, so that a wrong master key stops the start with a clear reason instead of
     * failing payload by payload.
     *
     * @return how many bare keys were wrapped
     */
    public int prepare() {
        return db.write(tx -> {
            var bare = tx.query("SELECT subject, generation, key FROM subject_keys WHERE length(key) = 32", r ->
                    new Object[] {r.text("subject"), r.integer("generation"), r.bytes("key")});
            for (var row : bare) {
                tx.update(
                        "UPDATE subject_keys SET key = ? WHERE subject = ? AND generation = ?",
                        master.wrap((byte[]) row[2], PURPOSE),
                        row[0],
                        row[1]);
            }
            tx.queryOne("SELECT key FROM subject_keys WHERE key IS NOT NULL LIMIT 1", r -> r.bytes("key"))
                    .ifPresent(this::unwrap);
            return bare.size();
        });
    }

    @Override
    public Encoded encode(String subject, byte[] plain) {
        if (subject.isEmpty()) {
            return new Encoded("json", plain);
        }
        var key = currentKey(subject);
        return new Encoded(PREFIX + key.generation(), encrypt(key.secret().orElseThrow(), plain));
    }

    @Override
    public byte[] decode(String subject, String codec, byte[] stored) {
        if (codec.equals("json")) {
            return stored;
        }
        if (!codec.startsWith(PREFIX)) {
            throw new IllegalStateException("payload stored with codec '" + codec + "' cannot be read here");
        }
        long generation = Long.parseLong(codec.substring(PREFIX.length()));
        var secret = generation(subject, generation).orElseThrow(() -> new ForgottenException(subject));
        return decrypt(secret, stored);
    }

    @Override
    public byte[] seal(String subject, byte[] plain) {
        if (subject.isEmpty()) {
            return plain;
        }
        var key = currentKey(subject);
        byte[] sealed = encrypt(key.secret().orElseThrow(), plain);
        return ByteBuffer.allocate(8 + sealed.length)
                .putLong(key.generation())
                .put(sealed)
                .array();
    }

    @Override
    public byte[] open(String subject, byte[] sealed) {
        if (subject.isEmpty()) {
            return sealed;
        }
        var buffer = ByteBuffer.wrap(sealed);
        long generation = buffer.getLong();
        byte[] rest = new byte[buffer.remaining()];
        buffer.get(rest);
        var secret = generation(subject, generation).orElseThrow(() -> new ForgottenException(subject));
        return decrypt(secret, rest);
    }

    @Override
    public boolean isForgotten(String subject) {
        return db.read(tx ->
                tx.count("SELECT COUNT(*) AS n FROM subject_keys WHERE subject = ? AND forgotten_at IS NULL", subject)
                                == 0
                        && tx.count("SELECT COUNT(*) AS n FROM subject_keys WHERE subject = ?", subject) > 0);
    }

    /**
     * Destroys every key of {@code subject}, in the caller's transaction; the cache forgets it once
     * the transaction commits.
     *
     * @return how many keys were destroyed
     */
    public int forget(Tx tx, String subject) throws SQLException {
        int destroyed = tx.update(
                "UPDATE subject_keys SET key = NULL, forgotten_at = ? WHERE subject = ? AND forgotten_at IS NULL",
                clock.instant(),
                subject);
        tx.afterCommit(() -> current.remove(subject));
        return destroyed;
    }

    /** The key new payloads about {@code subject} are sealed with, created if there is none. */
    private Key currentKey(String subject) {
        var cached = current.get(subject);
        if (cached != null) {
            return cached;
        }
        // Created inside the writer's transaction (nested when already in it), so that the key
        // commits with the first payload sealed by it, or not at all.
        return db.write(tx -> {
            var found = tx.queryOne(
                    "SELECT generation, key FROM subject_keys WHERE subject = ? AND forgotten_at IS NULL"
                            + " ORDER BY generation DESC LIMIT 1",
                    r -> new Key(r.integer("generation"), Optional.of(unwrap(r.bytes("key")))),
                    subject);
            if (found.isPresent()) {
                tx.afterCommit(() -> current.putIfAbsent(subject, found.get()));
                return found.get();
            }
            long generation =
                    tx.count("SELECT COALESCE(MAX(generation), 0) AS n FROM subject_keys WHERE subject = ?", subject)
                            + 1;
            var secret = newSecret();
            tx.update(
                    "INSERT INTO subject_keys (subject, generation, key, created_at) VALUES (?, ?, ?, ?)",
                    subject,
                    generation,
                    master.wrap(secret.getEncoded(), PURPOSE),
                    clock.instant());
            var key = new Key(generation, Optional.of(secret));
            tx.afterCommit(() -> current.putIfAbsent(subject, key));
            return key;
        });
    }

    private Optional<SecretKey> generation(String subject, long generation) {
        var cached = current.get(subject);
        if (cached != null && cached.generation() == generation) {
            return cached.secret();
        }
        Database.Read<Optional<SecretKey>> read = tx -> tx.queryOne(
                        "SELECT key FROM subject_keys WHERE subject = ? AND generation = ?",
                        r -> Optional.ofNullable(r.bytes("key")).map(this::unwrap),
                        subject,
                        generation)
                .flatMap(k -> k);
        // Inside the writer, a key created earlier in the same transaction is only visible there.
        return db.inWrite() ? db.write(read::run) : db.read(read);
    }

    private SecretKey unwrap(byte[] stored) {
        return new SecretKeySpec(MasterKey.isBare(stored) ? stored : master.unwrap(stored, PURPOSE), "AES");
    }

    private SecretKey newSecret() {
        try {
            var generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is missing from this JVM", e);
        }
    }

    private byte[] encrypt(SecretKey secret, byte[] plain) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, secret, new GCMParameterSpec(128, nonce));
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt: " + e.getMessage(), e);
        }
    }

    private static byte[] decrypt(SecretKey secret, byte[] stored) {
        try {
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
            return cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed payload does not open with its key: it was altered", e);
        }
    }
}
