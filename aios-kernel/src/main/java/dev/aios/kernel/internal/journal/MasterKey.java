package dev.aios.kernel.internal.journal;

import dev.aios.kernel.MasterKeySource;
import dev.aios.kernel.StorageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that wraps every subject key and stored secret, kept outside the database: in {@code
 * AIOS_MASTER_KEY} (32 bytes, base64), the OS keyring, or {@code master.key} in the data directory, a
 * file only its owner can read (see {@link MasterKeySource} for the order). A copy of {@code aios.db}
 * alone therefore opens no payload.
 */
public final class MasterKey {
    /** The environment variable that holds the master key, base64. */
    public static final String VARIABLE = "AIOS_MASTER_KEY";

    /** The file in the data directory that holds the master key when the variable is not set. */
    public static final String FILE = "master.key";

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int KEY_BYTES = 32;

    /** The length of a key as older versions stored it, before it was wrapped. */
    public static final int BARE_BYTES = KEY_BYTES;

    private final SecretKey key;
    private final String origin;
    private final SecureRandom random = new SecureRandom();

    private MasterKey(byte[] bytes, String origin) {
        this.key = new SecretKeySpec(bytes, "AES");
        this.origin = origin;
    }

    /**
     * The master key of {@code dataDirectory} as {@link MasterKeySource#system()} finds it, created
     * if the directory has none yet.
     */
    public static MasterKey of(Path dataDirectory) {
        return MasterKeys.open(dataDirectory, MasterKeySource.system());
    }

    /** As {@link #of(Path)}, with {@code AIOS_MASTER_KEY}'s value given and the keyring left out. */
    public static MasterKey of(Path dataDirectory, Optional<String> variable) {
        return MasterKeys.open(
                dataDirectory, new MasterKeySource(variable, MasterKeySource.Keyring.OFF, java.util.Map.of()));
    }

    /** A key read from {@code text} (base64), found at {@code origin}. */
    static MasterKey decoded(String text, String origin) {
        return new MasterKey(decode(text, origin), origin);
    }

    /** A new random key, to be kept at {@code origin}. */
    static MasterKey generated(String origin) {
        var bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        return new MasterKey(bytes, origin);
    }

    /** The same key, found at {@code origin}. */
    MasterKey at(String origin) {
        return new MasterKey(key.getEncoded(), origin);
    }

    /** The key as it is kept: base64 text. Never logged. */
    String encoded() {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    /** Whether {@code other} is the same key. */
    boolean sameAs(MasterKey other) {
        return java.security.MessageDigest.isEqual(key.getEncoded(), other.key.getEncoded());
    }

    /** A master key of the given bytes, for tests and embedding. */
    public static MasterKey of(byte[] bytes) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("a master key is 32 bytes, was " + bytes.length);
        }
        return new MasterKey(bytes.clone(), "given");
    }

    private static byte[] decode(String text, String where) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != KEY_BYTES) {
            throw new StorageException(
                    "the master key in " + where + " must be 32 random bytes in base64"
                            + " (e.g. the output of 'openssl rand -base64 32')",
                    null);
        }
        return bytes;
    }

    /** Where the key came from: the variable's name, the keyring's or the file's path. */
    public String origin() {
        return origin;
    }

    /** {@code plain} encrypted under the master key, bound to {@code purpose} (e.g. {@code subject-key}). */
    public byte[] wrap(byte[] plain, String purpose) {
        try {
            var nonce = new byte[NONCE_BYTES];
            random.nextBytes(nonce);
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            var sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length)
                    .put(VERSION)
                    .put(nonce)
                    .put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }

    /**
     * What {@link #wrap} sealed.
     *
     * @throws StorageException when it was wrapped with another master key or altered
     */
    public byte[] unwrap(byte[] wrapped, String purpose) {
        if (wrapped.length < 1 + NONCE_BYTES + 16 || wrapped[0] != VERSION) {
            throw new StorageException("a wrapped key is damaged (unknown format)", null);
        }
        try {
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, wrapped, 1, NONCE_BYTES));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(wrapped, 1 + NONCE_BYTES, wrapped.length - 1 - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new StorageException(
                    "the master key from " + origin + " does not open the keys of this data"
                            + " directory: it is not the key they were wrapped with (set " + VARIABLE + " or restore "
                            + FILE + " as it was)",
                    e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is missing from this JVM", e);
        }
    }

    /**
     * A key for {@code purpose} derived from the master key (HMAC-SHA256 of the purpose under it):
     * the same master key always gives the same derived key, and one purpose's key tells nothing
     * of another's or of the master key.
     */
    public byte[] derive(String purpose) {
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("aios derived key\n" + purpose).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    /** Whether {@code stored} is a key as older versions stored it, before it was wrapped. */
    public static boolean isBare(byte[] stored) {
        return stored.length == KEY_BYTES;
    }
}
