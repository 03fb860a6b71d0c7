package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.kernel.spi.SubjectCipher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Seals what memory stores about a subject with the subject's key, and opens it again: text,
 * metadata and vectors alike (a vector says much about the text it came from).
 */
final class Sealer {
    static final ObjectMapper JSON = new ObjectMapper();

    private final SubjectCipher cipher;

    Sealer(SubjectCipher cipher) {
        this.cipher = cipher;
    }

    byte[] text(String subject, String text) {
        return cipher.seal(subject, text.getBytes(StandardCharsets.UTF_8));
    }

    /** @throws SubjectCipher.ForgottenException when the subject was forgotten */
    String openText(String subject, byte[] sealed) {
        return new String(cipher.open(subject, sealed), StandardCharsets.UTF_8);
    }

    byte[] json(String subject, JsonNode json) {
        try {
            return cipher.seal(subject, JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    JsonNode openJson(String subject, byte[] sealed) {
        try {
            return JSON.readTree(cipher.open(subject, sealed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] vector(String subject, float[] vector) {
        var buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(vector);
        return cipher.seal(subject, buffer.array());
    }

    float[] openVector(String subject, byte[] sealed) {
        var buffer = ByteBuffer.wrap(cipher.open(subject, sealed)).order(ByteOrder.LITTLE_ENDIAN);
        var vector = new float[buffer.remaining() / Float.BYTES];
        buffer.asFloatBuffer().get(vector);
        return vector;
    }

    boolean isForgotten(String subject) {
        return !subject.isEmpty() && cipher.isForgotten(subject);
    }
}
