package dev.aios.kernel.internal.journal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed pseudonyms that replace a forgotten subject's name and its events' ids: {@code
 * forgotten:} and the first 24 hex digits of an HMAC-SHA256 under a key derived from the master
 * key. The same name always gives the same pseudonym, so the operator can still find what was
 * forgotten by naming it, and an event sent again with a forgotten id is still known as a
 * duplicate; without the master key a pseudonym cannot be traced back, even by guessing names.
 */
public final class Pseudonyms {
    /** What every pseudonym begins with; subjects and event ids sent to aios may not. */
    public static final String PREFIX = "forgotten:";

    private static final int HEX_DIGITS = 24;

    /**
     * The HMAC initialised with the key and never fed, cloned for each pseudonym: looking one up
     * and initialising it went through the security providers for every event the kernel logs.
     */
    private final Mac keyed;

    /** Pseudonyms under a key derived from {@code master}. */
    public Pseudonyms(MasterKey master) {
        try {
            this.keyed = Mac.getInstance("HmacSHA256");
            keyed.init(new SecretKeySpec(master.derive("pseudonyms"), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
        }
    }

    /** The pseudonym of a subject's name. */
    public String subject(String subject) {
        return of("subject", subject);
    }

    /** The pseudonym of an event's id (or of a correlation or causation id naming an event). */
    public String eventId(String id) {
        return id.isEmpty() || isPseudonym(id) ? id : of("event", id);
    }

    /** Whether {@code name} is a pseudonym (or looks like one). */
    public static boolean isPseudonym(String name) {
        return name.startsWith(PREFIX);
    }

    private String of(String kind, String name) {
        try {
            var mac = (Mac) keyed.clone();
            byte[] digest = mac.doFinal((kind + '\n' + name).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest).substring(0, HEX_DIGITS);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JVM's HMAC-SHA256 cannot be copied", e);
        }
    }
}
