package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.store.Database;
import java.nio.file.Path;
import java.util.Base64;

/** Puts a recorded journal into a fresh data directory, entries and keys exactly as recorded. */
final class RecordedStore {
    private RecordedStore() {}

    static void load(Path dataDirectory, JsonNode recording) {
        try (var db = Database.open(dataDirectory)) {
            db.write(tx -> {
                long pos = 0;
                for (var run : recording.path("runs")) {
                    for (var e : run.path("entries")) {
                        tx.update(
                                "INSERT INTO journal (run_id, seq, type, at, subject, codec, payload, checksum, pos)"
                                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                run.path("id").asText(),
                                e.path("seq").asLong(),
                                e.path("type").asText(),
                                e.path("at").asLong(),
                                e.path("subject").asText(),
                                e.path("codec").asText(),
                                Base64.getDecoder().decode(e.path("payload").asText()),
                                e.path("checksum").asText(),
                                ++pos);
                    }
                }
                for (var key : recording.path("keys")) {
                    tx.update(
                            "INSERT INTO subject_keys (subject, generation, key, created_at, forgotten_at) VALUES (?, ?, ?, ?, ?)",
                            key.path("subject").asText(),
                            key.path("generation").asLong(),
                            key.path("key").isNull() ? null : Base64.getDecoder().decode(key.path("key").asText()),
                            key.path("createdAt").asLong(),
                            key.has("forgottenAt") ? key.path("forgottenAt").asLong() : null);
                }
                return null;
            });
        }
    }
}
