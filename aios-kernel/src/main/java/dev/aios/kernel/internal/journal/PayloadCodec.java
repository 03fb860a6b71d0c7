package dev.aios.kernel.internal.journal;

/**
 * Turns payloads about a subject into stored bytes and back. The plain codec stores JSON as it is;
 * an encrypting codec can use a per-subject key so that forgetting a subject destroys its data.
 */
public interface PayloadCodec {

    /** Stored bytes with the name of the codec that made them. */
    record Encoded(String codec, byte[] bytes) {}

    /** Encodes {@code plain} (JSON) about {@code subject}. */
    Encoded encode(String subject, byte[] plain);

    /** Decodes bytes stored by codec {@code codec} about {@code subject}. */
    byte[] decode(String subject, String codec, byte[] stored);
}
