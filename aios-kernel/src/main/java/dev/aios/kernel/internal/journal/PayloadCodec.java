package dev.aios.kernel.internal.journal;

import java.util.Optional;

/**
 * Turns payloads about a subject into stored bytes and back. The plain codec stores JSON as it is;
 * an encrypting codec can use a per-subject key so that forgetting a subject destroys its data.
 */
public interface PayloadCodec {

    /** Stored bytes with the name of the codec that made them. */
    record Encoded(String codec, byte[] bytes) {}

    /**
     * A payload about {@code subject} made ready before the transaction that stores it, on the
     * thread that made it: {@code early} holds its stored bytes when they could be made there, and
     * {@code madeWith} what they were made with, for {@link #encode(Prepared)} to check.
     */
    record Prepared(String subject, byte[] plain, Optional<Encoded> early, Optional<Object> madeWith) {
        /** A payload left for {@link #encode(Prepared)} to encode. */
        public static Prepared later(String subject, byte[] plain) {
            return new Prepared(subject, plain, Optional.empty(), Optional.empty());
        }
    }

    /** Encodes {@code plain} (JSON) about {@code subject}. */
    Encoded encode(String subject, byte[] plain);

    /** Decodes bytes stored by codec {@code codec} about {@code subject}. */
    byte[] decode(String subject, String codec, byte[] stored);

    /**
     * Makes {@code plain} about {@code subject} ready to be stored, outside the transaction that
     * will store it: its bytes as {@link #encode(String, byte[])} would make them, when that needs
     * nothing written.
     */
    default Prepared prepare(String subject, byte[] plain) {
        return Prepared.later(subject, plain);
    }

    /**
     * The stored bytes of a payload made ready by {@link #prepare}: the ones made then if they are
     * still what {@link #encode(String, byte[])} would make now, else new ones.
     */
    default Encoded encode(Prepared prepared) {
        return encode(prepared.subject(), prepared.plain());
    }
}
