package dev.aios.kernel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.internal.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Writes the files that {@code RecordedJournalsTest} replays, for {@link JournalRecorder} and
 * {@link GraphJournalRecorder}: each run's entries exactly as stored, what they decode to, the run
 * and its tasks as the operator saw them, the subject keys and the master key that wraps them. A recording once written is never
 * rewritten: a new journal format is recorded into a new directory.
 */
final class RecordingWriter {
    private RecordingWriter() {}

    /** The directory named by {@code -Daios.recordJournals}. */
    static Path out() throws Exception {
        var dir = Path.of(System.getProperty("aios.recordJournals")).toAbsolutePath();
        Files.createDirectories(dir);
        return dir;
    }

    /** What the operator saw of a run, and its entries as decoded. */
    static ObjectNode recorded(Kernel kernel, String runId) {
        var run = Json.object();
        run.put("id", runId);
        run.set("view", Json.tree(kernel.run(runId)));
        run.set(
                "tasks",
                Json.tree(kernel.tasks(true).stream()
                        .filter(t -> t.runId().equals(runId))
                        .toList()));
        var entries = run.putArray("entries");
        for (var record : kernel.journal(runId)) {
            entries.add(Json.object()
                    .put("seq", record.seq())
                    .put("type", record.type())
                    .set("data", record.data()));
        }
        return run;
    }

    /**
     * Closes {@code kernel} and writes scenario {@code name} of {@code runs}, their entries decoded as
     * in {@code decoded} (taken before a subject was forgotten, when one was), into {@link #out()}.
     */
    static void save(
            Kernel kernel, Path data, List<String> runs, String name, String description, List<ObjectNode> decoded)
            throws Exception {
        var file = out().resolve(name + ".json");
        if (Files.exists(file)) {
            throw new IllegalStateException(file + " exists: recordings are never rewritten; record a new journal"
                    + " format into a new directory");
        }
        var after = new ArrayList<ObjectNode>();
        for (String run : runs) {
            after.add(recorded(kernel, run));
        }
        kernel.close();
        var json = Json.object();
        json.put("scenario", name);
        json.put("description", description);
        var runsNode = json.putArray("runs");
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("aios.db"))) {
            for (int i = 0; i < runs.size(); i++) {
                var run = after.get(i);
                var stored = Json.mapper().createArrayNode();
                try (var ps = c.prepareStatement("SELECT seq, type, at, subject, codec, payload, checksum FROM journal"
                        + " WHERE run_id = ? ORDER BY seq")) {
                    ps.setString(1, runs.get(i));
                    try (var rs = ps.executeQuery()) {
                        int n = 0;
                        while (rs.next()) {
                            var entry = Json.object();
                            entry.put("seq", rs.getLong("seq"));
                            entry.put("type", rs.getString("type"));
                            entry.put("at", rs.getLong("at"));
                            entry.put("subject", rs.getString("subject"));
                            entry.put("codec", rs.getString("codec"));
                            entry.put("payload", Base64.getEncoder().encodeToString(rs.getBytes("payload")));
                            entry.put("checksum", rs.getString("checksum"));
                            var entryData =
                                    decoded.get(i).path("entries").path(n).path("data");
                            if (!entryData.isMissingNode()) {
                                entry.set("data", entryData);
                            }
                            stored.add(entry);
                            n++;
                        }
                    }
                }
                run.set("entries", stored);
                runsNode.add(run);
            }
            ArrayNode keys = json.putArray("keys");
            try (var ps = c.prepareStatement(
                            "SELECT subject, generation, key, created_at, forgotten_at FROM subject_keys ORDER BY subject, generation");
                    var rs = ps.executeQuery()) {
                while (rs.next()) {
                    var key = Json.object();
                    key.put("subject", rs.getString("subject"));
                    key.put("generation", rs.getLong("generation"));
                    byte[] bytes = rs.getBytes("key");
                    if (bytes == null) {
                        key.putNull("key");
                    } else {
                        key.put("key", Base64.getEncoder().encodeToString(bytes));
                    }
                    key.put("createdAt", rs.getLong("created_at"));
                    long forgottenAt = rs.getLong("forgotten_at");
                    if (!rs.wasNull()) {
                        key.put("forgottenAt", forgottenAt);
                    }
                    keys.add(key);
                }
            }
        }
        var masterKey = data.resolve(dev.aios.kernel.internal.journal.MasterKey.FILE);
        if (Files.exists(masterKey)) {
            // the subject keys are wrapped by it: without it nothing encrypted can be read again
            json.put("masterKey", Files.readString(masterKey).strip());
        }
        Files.writeString(file, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    }
}
