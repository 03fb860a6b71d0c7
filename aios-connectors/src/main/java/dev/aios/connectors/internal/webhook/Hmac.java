package dev.aios.connectors.internal.webhook;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 and a comparison that takes the same time whatever matches. */
public final class Hmac {
    private Hmac() {}

    /** HMAC-SHA256 of {@code message} under {@code key}. */
    public static byte[] sha256(byte[] key, byte[] message) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available: " + e.getMessage(), e);
        }
    }

    /** Whether two byte strings are equal, in time that does not depend on where they differ. */
    public static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    /** {@code parts} joined, as the bytes a scheme signs. */
    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (var part : parts) {
            length += part.length;
        }
        var out = new byte[length];
        int at = 0;
        for (var part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
