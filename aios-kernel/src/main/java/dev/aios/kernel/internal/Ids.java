package dev.aios.kernel.internal;

import java.security.SecureRandom;
import java.time.Instant;

/**
 * Short, time-ordered ids that an operator can type: a prefix, 9 characters of milliseconds and 6
 * random ones in lower-case Crockford base 32, e.g. {@code r-01hz3k9m2x7bq4d}.
 */
public final class Ids {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    /** A new id with {@code prefix}, ordered by {@code now}. */
    public static String next(String prefix, Instant now) {
        var out = new StringBuilder(prefix.length() + 16).append(prefix).append('-');
        long millis = now.toEpochMilli();
        for (int shift = 40; shift >= 0; shift -= 5) {
            out.append(ALPHABET[(int) (millis >>> shift) & 31]);
        }
        for (int i = 0; i < 6; i++) {
            out.append(ALPHABET[RANDOM.nextInt(32)]);
        }
        return out.toString();
    }
}
