package dev.aios.examples;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Project and invoice numbers derived from a step's idempotency key: a step that runs again (after
 * a crash or a retry) gets the same number, so nothing is created or billed twice.
 */
final class ReferenceNumbers {
    private ReferenceNumbers() {}

    /** {@code prefix}, a dash and ten hex digits of the key's SHA-256, e.g. {@code PRJ-3F9A0C12B7}. */
    static String derive(String prefix, String idempotencyKey) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
            return prefix + "-" + HexFormat.of().formatHex(digest, 0, 5).toUpperCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
    }
}
