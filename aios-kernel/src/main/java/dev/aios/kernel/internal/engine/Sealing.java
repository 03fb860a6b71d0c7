package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.PayloadCodec;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.spi.SubjectCipher;

/** Seals and opens the payloads of instances (states, messages) with their subject's key. */
record Sealing(PayloadCodec codec) {

    /** {@code json} about {@code subject}, sealed with the subject's key. */
    InstanceStore.Sealed seal(String subject, JsonNode json) {
        var encoded = codec.encode(subject, Json.bytes(json));
        return new InstanceStore.Sealed(encoded.codec(), encoded.bytes());
    }

    /** A sealed payload read back; {@code {"forgotten": true}} once the subject was forgotten. */
    JsonNode open(String subject, InstanceStore.Sealed stored) {
        try {
            return Json.tree(codec.decode(subject, stored.codec(), stored.bytes()));
        } catch (SubjectCipher.ForgottenException e) {
            return Forgetting.FORGOTTEN.deepCopy();
        }
    }
}
