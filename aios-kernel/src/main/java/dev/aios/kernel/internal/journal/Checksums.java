package dev.aios.kernel.internal.journal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The chained checksum of journal entries: SHA-256 over the previous entry's checksum and this
 * entry's run, sequence, type, time, codec and stored payload bytes. Computed over the stored
 * (possibly encrypted) bytes, so a chain still verifies after a subject's key is destroyed.
 */
public final class Checksums {
    /**
     * A SHA-256 digest per thread: looking one up for every entry went through the security
     * providers each time. Reset before use, so a digest left half-fed cannot leak into the next.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    private Checksums() {}

    /** The checksum of an entry following one whose checksum is {@code previous} ("" for the first). */
    public static String chain(
            String previous, String runId, long seq, String type, long atMillis, String codec, byte[] payload) {
        var digest = SHA_256.get();
        digest.reset();
        digest.update((previous + '\n' + runId + '\n' + seq + '\n' + type + '\n' + atMillis + '\n' + codec + '\n')
                .getBytes(StandardCharsets.UTF_8));
        digest.update(payload);
        return HexFormat.of().formatHex(digest.digest());
    }
}
