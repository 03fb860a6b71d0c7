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
    private Checksums() {}

    /** The checksum of an entry following one whose checksum is {@code previous} ("" for the first). */
    public static String chain(
            String previous, String runId, long seq, String type, long atMillis, String codec, byte[] payload) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            digest.update((previous + '\n' + runId + '\n' + seq + '\n' + type + '\n' + atMillis + '\n' + codec + '\n')
                    .getBytes(StandardCharsets.UTF_8));
            digest.update(payload);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
