package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.RunStore;
import dev.aios.kernel.internal.store.SnapshotStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runs and snapshots tables. A store that is the only writer of its database keeps the states
 * the writer loads and saves in memory ({@link JdbcTx#liveRuns}): they stay what the table holds,
 * and a unit that rolls back drops them.
 */
final class JdbcRuns implements RunStore, SnapshotStore {
    private final JdbcTx tx;

    JdbcRuns(JdbcTx tx) {
        this.tx = tx;
    }

    @Override
    public Optional<Stored> load(String runId) {
        var unsaved = tx.unsaved(runId);
        if (unsaved != null) {
            return Optional.of(new Stored(unsaved, unsaved.seq));
        }
        var live = tx.liveRuns();
        if (live != null) {
            var cached = live.get(runId);
            if (cached != null) {
                keepUntilRollback(cached);
                return Optional.of(new Stored(cached, cached.seq));
            }
        }
        var stored =
                tx.handle().queryOne("SELECT state, last_seq, status FROM runs WHERE id = ?", JdbcRuns::stored, runId);
        if (live != null) {
            // Kept as the caller's fold of what it is behind leaves it, since that folds it in place.
            stored.ifPresent(s -> {
                live.put(runId, s.state());
                keepUntilRollback(s.state());
            });
        }
        return stored;
    }

    private static Stored stored(Row row) {
        var state = Json.read(row.text("state"), RunState.class);
        state.storedSeq = state.seq;
        state.storedStatus = RunStatus.fromWire(row.text("status"));
        return new Stored(state, row.integer("last_seq"));
    }

    /** The caller may change the state in place: if its unit rolls back, the change must not stay. */
    private void keepUntilRollback(RunState state) {
        tx.onRollback(() -> tx.liveRuns().remove(state.id));
    }

    @Override
    public void save(RunState state) {
        var live = tx.liveRuns();
        if (live != null) {
            live.put(state.id, state);
            keepUntilRollback(state);
        }
        if (tx.isWriter()) {
            tx.saveLater(state);
        } else {
            write(state);
        }
    }

    @Override
    public void saveWhole(RunState state) {
        // Not known to be stored: written whole.
        state.storedSeq = -1;
        save(state);
    }

    /**
     * The row's upsert. The id of the event that started the run has a column of its own, indexed by
     * {@code runs_trigger} (an index on an expression over the state would parse the whole JSON at
     * every write); it is set on conflict too, since forgetting the subject replaces the event ids in
     * the trigger. {@code %s} is where the state's JSON goes.
     */
    private static final String UPSERT = "INSERT INTO runs (id, playbook, version, subject, status, current_step,"
            + " created_at, updated_at, last_seq, last_checksum, state, trigger_id)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, %s, ?)"
            + " ON CONFLICT (id) DO UPDATE SET playbook = excluded.playbook,"
            + " version = excluded.version, subject = excluded.subject, status = excluded.status,"
            + " current_step = excluded.current_step, created_at = excluded.created_at,"
            + " updated_at = excluded.updated_at, last_seq = excluded.last_seq,"
            + " last_checksum = excluded.last_checksum, state = excluded.state, trigger_id = excluded.trigger_id";

    /**
     * On SQLite the JSON goes as the UTF-8 bytes it is serialized to (no string built to be encoded
     * again), stored as text.
     */
    private static final String UPSERT_SQLITE = UPSERT.formatted("CAST(? AS TEXT)");

    static final String UPSERT_POSTGRES = UPSERT.formatted("?");

    /**
     * A unit's update of a running run whose stored JSON is fewer than {@link RunStore#WHOLE_EVERY}
     * entries behind: the columns its entries may change. The run's playbook, version, subject,
     * trigger and start time are set by its first entry, whose write sets every column, and changed
     * otherwise only by forgetting, which writes whole.
     */
    static final String UPDATE_COLUMNS = "UPDATE runs SET status = ?, current_step = ?, updated_at = ?,"
            + " last_seq = ?, last_checksum = ? WHERE id = ?";

    /**
     * {@link #UPDATE_COLUMNS} when the row already holds the run's status: a statement that sets an
     * indexed column rewrites the index's entry even to the same value, one page more in every
     * commit (on SQLite, where a step's unit writes about six).
     */
    static final String UPDATE_PROGRESS =
            "UPDATE runs SET current_step = ?, updated_at = ?, last_seq = ?, last_checksum = ? WHERE id = ?";

    /** Writes the state's row: its columns, and its JSON too when it must be written whole. */
    void write(RunState state) {
        tx.runChanged(state.id);
        if (lean(state)) {
            if (state.status == state.storedStatus) {
                tx.handle()
                        .updateLater(
                                UPDATE_PROGRESS, state.current, state.updatedAt, state.seq, state.checksum, state.id);
                return;
            }
            tx.handle()
                    .updateLater(
                            UPDATE_COLUMNS,
                            state.status.wire(),
                            state.current,
                            state.updatedAt,
                            state.seq,
                            state.checksum,
                            state.id);
            statusStored(state);
            return;
        }
        if (startedLean(state)) {
            upsert(state, entryless(state));
            state.storedSeq = 0;
            tx.onRollback(() -> state.storedSeq = RunState.NO_ROW);
            statusStored(state);
            return;
        }
        writeWhole(state);
        state.storedSeq = state.seq;
        statusStored(state);
    }

    /**
     * Whether a new run's first write may store the JSON of the run before its first entry, leaving
     * every entry so far to the fold of whoever reads it (as for the later units, see {@link #lean}):
     * the write the run starts in (its event's or its parent's unit) then serializes no state, the
     * trigger's data included. The row's columns are written from the state as for a whole write.
     */
    private static boolean startedLean(RunState state) {
        return state.storedSeq == RunState.NO_ROW
                && (state.status == RunStatus.RUNNING || state.status == RunStatus.COMPLETED)
                && state.seq < WHOLE_EVERY;
    }

    /** The JSON of {@code state}'s run before its first entry: what {@code RunFold.empty} makes. */
    private static JsonNode entryless(RunState state) {
        return Json.object().put("id", state.id);
    }

    /** Keeps that the row holds the state's status, unless the unit that wrote it rolls back. */
    private void statusStored(RunState state) {
        state.storedStatus = state.status;
        tx.onRollback(() -> state.storedStatus = null);
    }

    /**
     * Whether the entries after the stored JSON describe {@code state} (it moved on from it by
     * appending), the run is running or completed, and the JSON is not too far behind. A parked run
     * is written whole, since the writer reads it again when it wakes, and so is a run that failed
     * or was cancelled, whose error the reports read from the JSON; a completed run is rarely read
     * again (one run's page), so its last unit leaves the fold of its tail to that reader rather than
     * have the writer serialize the largest state the run ever had.
     */
    private static boolean lean(RunState state) {
        return state.storedSeq >= 0
                && (state.status == RunStatus.RUNNING || state.status == RunStatus.COMPLETED)
                && state.seq > state.storedSeq
                && state.seq - state.storedSeq < WHOLE_EVERY;
    }

    private void writeWhole(RunState state) {
        upsert(state, state);
    }

    /** The row's upsert from {@code state}'s columns, with {@code json} (a state, or a tree) as its JSON. */
    private void upsert(RunState state, Object json) {
        boolean sqlite = tx.handle().dialect() == Handle.Dialect.SQLITE;
        tx.handle()
                .updateLater(
                        sqlite ? UPSERT_SQLITE : UPSERT_POSTGRES,
                        state.id,
                        state.playbook,
                        state.version,
                        state.subject,
                        state.status.wire(),
                        state.current,
                        state.createdAt,
                        state.updatedAt,
                        state.seq,
                        state.checksum,
                        sqlite ? Json.bytes(json) : Json.text(json),
                        triggerId(state));
    }

    /** The id of the event that started the run, as {@code json_extract(state, '$.trigger.id')} reads it. */
    private static String triggerId(RunState state) {
        if (state.trigger == null) {
            return null;
        }
        var id = state.trigger.get("id");
        return id == null || id.isNull() || id.isContainerNode() ? null : id.asText();
    }

    @Override
    public List<RunSummary> find(RunQuery query, int rows) {
        tx.flush();
        var where = new ArrayList<String>();
        var args = new ArrayList<Object>();
        query.status().ifPresent(s -> {
            where.add("status = ?");
            args.add(s.wire());
        });
        query.playbook().ifPresent(p -> {
            where.add("playbook = ?");
            args.add(p);
        });
        query.subject().ifPresent(s -> {
            where.add("subject = ?");
            args.add(s);
        });
        query.from().ifPresent(from -> {
            where.add("created_at >= ?");
            args.add(from);
        });
        query.to().ifPresent(to -> {
            where.add("created_at < ?");
            args.add(to);
        });
        query.after().ifPresent(after -> {
            where.add("(created_at < ? OR (created_at = ? AND id < ?))");
            args.add(after.at());
            args.add(after.at());
            args.add(after.id());
        });
        args.add(rows);
        String sql = "SELECT id, playbook, version, subject, status, current_step, created_at, updated_at FROM runs"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        return tx.handle().query(sql, JdbcRuns::summary, args.toArray());
    }

    @Override
    public Map<RunStatus, Long> countByStatus() {
        tx.flush();
        var counts = new EnumMap<RunStatus, Long>(RunStatus.class);
        for (var status : RunStatus.values()) {
            counts.put(status, 0L);
        }
        tx.handle().query("SELECT status, COUNT(*) AS n FROM runs GROUP BY status", r -> {
            counts.put(RunStatus.fromWire(r.text("status")), r.integer("n"));
            return null;
        });
        return counts;
    }

    @Override
    public boolean exists(String runId) {
        tx.flush();
        return tx.handle().count("SELECT COUNT(*) AS n FROM runs WHERE id = ?", runId) > 0;
    }

    @Override
    public List<String> ids() {
        tx.flush();
        return tx.handle().query("SELECT id FROM runs", r -> r.text("id"));
    }

    @Override
    public List<String> idsOf(String subject) {
        tx.flush();
        return tx.handle().query("SELECT id FROM runs WHERE subject = ?", r -> r.text("id"), subject);
    }

    @Override
    public List<String> startedBy(String eventId, String playbook) {
        tx.flush();
        // Indexed by runs_trigger.
        return tx.handle()
                .query(
                        "SELECT id FROM runs WHERE trigger_id = ? AND playbook = ?",
                        r -> r.text("id"),
                        eventId,
                        playbook);
    }

    @Override
    public void save(RunState state, long keepFrom) {
        tx.handle()
                .updateLater(
                        "INSERT INTO snapshots (run_id, seq, checksum, state) VALUES (?, ?, ?, ?)",
                        state.id,
                        state.seq,
                        state.checksum,
                        Json.text(state));
        tx.handle().updateLater("DELETE FROM snapshots WHERE run_id = ? AND seq < ?", state.id, keepFrom);
    }

    @Override
    public List<Snapshot> of(String runId) {
        return tx.handle()
                .query(
                        "SELECT seq, checksum, state FROM snapshots WHERE run_id = ? ORDER BY seq DESC",
                        r -> new Snapshot(
                                r.integer("seq"), r.text("checksum"), Json.read(r.text("state"), RunState.class)),
                        runId);
    }

    @Override
    public void removeRun(String runId) {
        tx.handle().update("DELETE FROM snapshots WHERE run_id = ?", runId);
    }

    static RunSummary summary(Row row) {
        return new RunSummary(
                row.text("id"),
                row.text("playbook"),
                row.text("version"),
                row.text("subject"),
                RunStatus.fromWire(row.text("status")),
                row.optionalText("current_step"),
                row.instant("created_at"),
                row.instant("updated_at"));
    }
}
