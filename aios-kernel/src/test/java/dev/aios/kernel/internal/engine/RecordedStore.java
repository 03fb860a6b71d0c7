package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.journal.MasterKey;
import dev.aios.kernel.internal.store.StoredEntry;
import dev.aios.kernel.internal.store.Stores;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;

/** Puts a recorded journal into a fresh store, entries and keys exactly as recorded. */
final class RecordedStore {
    private RecordedStore() {}

    static void load(Path dataDirectory, JsonNode recording) {
        try (var store = Stores.open(dataDirectory)) {
            store.write(tx -> {
                for (var run : recording.path("runs")) {
                    for (var e : run.path("entries")) {
                        tx.journal()
                                .append(new StoredEntry(
                                        run.path("id").asText(),
                                        e.path("seq").asLong(),
                                        e.path("type").asText(),
                                        Instant.ofEpochMilli(e.path("at").asLong()),
                                        e.path("subject").asText(),
                                        e.path("codec").asText(),
                                        Base64.getDecoder()
                                                .decode(e.path("payload").asText()),
                                        e.path("checksum").asText()));
                    }
                }
                for (var key : recording.path("keys")) {
                    String subject = key.path("subject").asText();
                    long generation = key.path("generation").asLong();
                    var createdAt = Instant.ofEpochMilli(key.path("createdAt").asLong());
                    if (key.path("key").isNull()) {
                        // A destroyed key leaves a record that it existed.
                        tx.keys().add(subject, generation, new byte[32], createdAt);
                        tx.keys()
                                .destroy(
                                        subject,
                                        Instant.ofEpochMilli(
                                                key.path("forgottenAt").asLong()));
                    } else {
                        tx.keys()
                                .add(
                                        subject,
                                        generation,
                                        Base64.getDecoder()
                                                .decode(key.path("key").asText()),
                                        createdAt);
                    }
                }
                return null;
            });
        }
        if (recording.has("masterKey")) {
            // the key the recorded subject keys are wrapped with (recordings made before keys were wrapped have none)
            try {
                var file = dataDirectory.resolve(MasterKey.FILE);
                java.nio.file.Files.writeString(
                        file, recording.path("masterKey").asText());
                java.nio.file.Files.setPosixFilePermissions(
                        file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        // The directory's master key, as the first start of aios on it makes (admin commands never do).
        MasterKey.of(dataDirectory);
    }
}
