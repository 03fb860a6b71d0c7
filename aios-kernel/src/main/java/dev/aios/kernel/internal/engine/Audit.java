package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RebuildReport;
import dev.aios.kernel.ReplayReport;
import dev.aios.kernel.VerifyReport;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.Checksums;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.run.Projector;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.internal.store.Tx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Checks and rebuilds the derived tables. Verification recomputes every run's checksum chain and
 * replays every journal into a scratch database, then compares it row by row with the real one;
 * rebuilding replaces the derived tables with that replay.
 */
public final class Audit {

    /** The derived tables and their identity columns; lease columns are coordination, not state. */
    private static final Map<String, String> TABLES = Map.of(
            "runs", "SELECT * FROM runs ORDER BY id",
            "work",
                    "SELECT run_id, step_id, iteration, kind, visible_at, attempt FROM work ORDER BY run_id, step_id, iteration",
            "awaits",
                    "SELECT run_id, step_id, iteration, event_type, subject, timeout_at FROM awaits"
                            + " ORDER BY run_id, step_id, iteration",
            "tasks", "SELECT * FROM tasks ORDER BY id",
            "receipts", "SELECT * FROM receipts ORDER BY effect_key",
            "snapshots", "SELECT * FROM snapshots ORDER BY run_id, seq",
            "loop_items", "SELECT * FROM loop_items ORDER BY run_id, block, idx");

    private final RunJournal journal;

    public Audit(RunJournal journal) {
        this.journal = journal;
    }

    /** Verifies {@code db}: chains, folds and derived tables, all as of one moment. */
    public VerifyReport verify(Database db) {
        var problems = new ArrayList<String>();
        long[] counts = new long[2];
        withScratch(scratch -> db.read(tx -> {
            var runIds = runIds(tx);
            counts[0] = runIds.size();
            for (String runId : runIds) {
                counts[1] += checkChain(tx, runId, problems);
            }
            var stored = new HashSet<>(tx.query("SELECT id FROM runs", r -> r.text("id")));
            stored.removeAll(runIds);
            stored.forEach(id -> problems.add("run " + id + " is in the runs table but has no journal"));
            var skipped = forgottenRuns(tx);
            for (String runId : runIds) {
                if (!skipped.contains(runId) && !replays(tx, runId, problems)) {
                    skipped.add(runId);
                }
            }
            var actual = snapshot(tx, skipped);
            replay(tx, scratch, skipped);
            compare(snapshot(scratch, skipped), actual, problems);
            problems.addAll(dev.aios.kernel.internal.access.AuditTrail.verify(tx));
            return null;
        }));
        return new VerifyReport(counts[0], counts[1], problems);
    }

    /**
     * Re-folds one run from its journal and reports any divergence from its stored state. Starts
     * from the newest snapshot that still matches the journal, unless {@code full}; a full replay
     * also checks every snapshot against the fold at its entry.
     */
    public ReplayReport replay(Database db, String runId, boolean full) {
        return db.read(tx -> {
            var stored = journal.load(tx, runId)
                    .orElseThrow(() -> new NotFoundException("no run " + runId + "; list runs with `aios runs`"));
            var divergences = new ArrayList<String>();
            record Snapshot(long seq, String checksum, String state) {}
            var snapshots = tx.query(
                    "SELECT seq, checksum, state FROM snapshots WHERE run_id = ? ORDER BY seq DESC",
                    r -> new Snapshot(r.integer("seq"), r.text("checksum"), r.text("state")),
                    runId);
            RunState state = RunFold.empty(runId);
            long from = 0;
            if (!full) {
                for (var snapshot : snapshots) {
                    var at = tx.queryOne(
                            "SELECT checksum FROM journal WHERE run_id = ? AND seq = ?",
                            r -> r.text("checksum"),
                            runId,
                            snapshot.seq());
                    if (at.isPresent() && at.get().equals(snapshot.checksum())) {
                        state = Json.read(snapshot.state(), RunState.class);
                        from = snapshot.seq();
                        break;
                    }
                    divergences.add("snapshot at entry " + snapshot.seq() + " does not match the journal; skipped");
                }
            }
            var bySeq = new java.util.HashMap<Long, String>();
            snapshots.forEach(s -> bySeq.put(s.seq(), s.state()));
            long entries = 0;
            for (var entry : journal.stored(tx, runId, from)) {
                RunFold.apply(state, journal.decode(entry), entry.at());
                state.seq = entry.seq();
                state.checksum = entry.checksum();
                entries++;
                var snapshot = bySeq.get(entry.seq());
                if (full && snapshot != null && !snapshot.equals(Json.text(state))) {
                    divergences.add("snapshot at entry " + entry.seq() + " differs from the fold of the journal");
                }
            }
            var want = Json.tree(Json.text(state));
            var have = Json.tree(Json.text(stored));
            if (!want.equals(have)) {
                divergences.add(describeDifference("", want, have));
            }
            return new ReplayReport(runId, entries, from, divergences);
        });
    }

    /** The first place two states differ, as a path. */
    private static String describeDifference(String path, JsonNode want, JsonNode have) {
        if (want.isObject() && have.isObject()) {
            var names = new java.util.TreeSet<String>();
            want.fieldNames().forEachRemaining(names::add);
            have.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                var w = want.get(name);
                var h = have.get(name);
                if (w == null || h == null || !w.equals(h)) {
                    return w == null || h == null
                            ? "stored state " + (w == null ? "has" : "lacks") + " " + path + "/" + name
                                    + " that the journal " + (w == null ? "does not give" : "gives")
                            : describeDifference(path + "/" + name, w, h);
                }
            }
        }
        return "stored state differs from the journal at " + (path.isEmpty() ? "/" : path) + ": stored " + have
                + ", journal gives " + want;
    }

    /** Replaces the derived tables of {@code db} with a replay of the journal. */
    public RebuildReport rebuild(Database db) {
        return db.write(tx -> {
            // A forgotten run cannot be replayed; its scrubbed rows are kept as they are.
            var forgotten = forgottenRuns(tx);
            var before = snapshot(tx, forgotten);
            for (String table : TABLES.keySet()) {
                String column = table.equals("runs") ? "id" : "run_id";
                tx.update("DELETE FROM " + table + " WHERE " + column
                        + " NOT IN (SELECT j.run_id FROM journal j JOIN subject_keys k ON k.subject = j.subject"
                        + " AND j.codec = 'aes-gcm:' || k.generation WHERE k.key IS NULL)");
            }
            long entries = replay(tx, tx, forgotten);
            var after = snapshot(tx, forgotten);
            var diffs = new ArrayList<String>();
            compare(after, before, diffs);
            return new RebuildReport(runIds(tx).size(), entries, diffs.size());
        });
    }

    /** Recomputes one run's checksum chain. */
    public dev.aios.kernel.ChainReport chain(Database db, String runId) {
        return db.read(tx -> {
            var last = tx.queryOne("SELECT last_checksum FROM runs WHERE id = ?", r -> r.text("last_checksum"), runId)
                    .orElseThrow(() -> RunQueries.noRun(runId));
            var problems = new ArrayList<String>();
            long entries = checkChain(tx, runId, problems);
            return new dev.aios.kernel.ChainReport(runId, entries, last, problems);
        });
    }

    private long checkChain(Tx tx, String runId, List<String> problems) throws SQLException {
        String previous = "";
        long expectedSeq = 1;
        var stored = journal.stored(tx, runId);
        for (var entry : stored) {
            if (entry.seq() != expectedSeq) {
                problems.add(
                        "run " + runId + ": journal entry " + expectedSeq + " is missing (found " + entry.seq() + ")");
                expectedSeq = entry.seq();
            }
            String checksum = Checksums.chain(
                    previous,
                    runId,
                    entry.seq(),
                    entry.type(),
                    entry.at().toEpochMilli(),
                    entry.codec(),
                    entry.payload());
            if (!checksum.equals(entry.checksum())) {
                problems.add("run " + runId + ": journal entry " + entry.seq() + " (" + entry.type()
                        + ") does not match its checksum: it was altered, or an entry before it was");
            }
            previous = entry.checksum();
            expectedSeq++;
        }
        return stored.size();
    }

    /** Runs {@code work} against an empty, migrated scratch database, deleted afterwards. */
    private static void withScratch(java.util.function.Consumer<Tx> work) {
        try {
            var file = Files.createTempFile("aios-verify", ".db");
            try {
                var ds = new SQLiteDataSource(new SQLiteConfig());
                ds.setUrl("jdbc:sqlite:" + file);
                Database.migrate(ds);
                try (var connection = ds.getConnection()) {
                    connection.setAutoCommit(false);
                    work.accept(new Tx(connection));
                    connection.rollback();
                }
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-journal"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch database for verification", e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot use the scratch database: " + e.getMessage(), e);
        }
    }

    /** Replays every journal of {@code source} into the derived tables of {@code target}. */
    private long replay(Tx source, Tx target, java.util.Set<String> forgotten) throws SQLException {
        long entries = 0;
        for (String runId : runIds(source)) {
            if (forgotten.contains(runId)) {
                continue;
            }
            RunState state = RunFold.empty(runId);
            for (var stored : journal.stored(source, runId)) {
                var entry = journal.decode(stored);
                RunFold.apply(state, entry, stored.at());
                state.seq = stored.seq();
                state.checksum = stored.checksum();
                Projector.project(target, state, entry, stored.at());
                entries++;
            }
            Projector.saveRun(target, state);
        }
        return entries;
    }

    private static List<String> runIds(Tx tx) throws SQLException {
        return tx.query("SELECT DISTINCT run_id FROM journal ORDER BY run_id", r -> r.text("run_id"));
    }

    /** Whether every entry of the run can be read and folded; if not, says why. */
    private boolean replays(Tx tx, String runId, List<String> problems) throws SQLException {
        RunState state = RunFold.empty(runId);
        for (var stored : journal.stored(tx, runId)) {
            try {
                RunFold.apply(state, journal.decode(stored), stored.at());
            } catch (RuntimeException e) {
                problems.add("run " + runId + ": journal entry " + stored.seq() + " (" + stored.type()
                        + ") cannot be replayed: " + e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Runs with payloads sealed by a destroyed key: their subject was forgotten. */
    private static java.util.Set<String> forgottenRuns(Tx tx) throws SQLException {
        return new java.util.HashSet<>(tx.query(
                "SELECT DISTINCT j.run_id FROM journal j JOIN subject_keys k ON k.subject = j.subject"
                        + " AND j.codec = 'aes-gcm:' || k.generation WHERE k.key IS NULL",
                r -> r.text("run_id")));
    }

    private static Map<String, Map<String, String>> snapshot(Tx tx, java.util.Set<String> excluded)
            throws SQLException {
        var tables = new TreeMap<String, Map<String, String>>();
        for (var table : TABLES.entrySet()) {
            var rows = new TreeMap<String, String>();
            String runColumn = table.getKey().equals("runs") ? "id" : "run_id";
            tx.query(table.getValue(), r -> {
                var values = new ArrayList<String>();
                for (int i = 1; i <= r.columns(); i++) {
                    if (r.columnName(i).equals(runColumn) && excluded.contains(String.valueOf(r.column(i)))) {
                        return null;
                    }
                    values.add(r.columnName(i) + "=" + r.column(i));
                }
                rows.put(values.subList(0, Math.min(3, values.size())).toString(), String.join(", ", values));
                return null;
            });
            tables.put(table.getKey(), rows);
        }
        return tables;
    }

    private static void compare(
            Map<String, Map<String, String>> expected, Map<String, Map<String, String>> actual, List<String> problems) {
        for (String table : TABLES.keySet()) {
            var want = expected.get(table);
            var have = actual.get(table);
            for (var row : want.entrySet()) {
                String got = have.get(row.getKey());
                if (got == null) {
                    problems.add(table + ": row " + row.getKey() + " is missing; the journal says " + row.getValue());
                } else if (!Objects.equals(got, row.getValue())) {
                    problems.add(table + ": row " + row.getKey() + " differs from the journal: stored " + got
                            + "; journal says " + row.getValue());
                }
            }
            for (var row : have.keySet()) {
                if (!want.containsKey(row)) {
                    problems.add(table + ": row " + row + " is not backed by the journal");
                }
            }
        }
    }
}
