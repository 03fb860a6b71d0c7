package dev.aios.policy.internal;

import dev.aios.kernel.spi.Storage;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Autonomy suggestions and what became of them. */
public final class SuggestionStore {
    private final Storage storage;

    public SuggestionStore(Storage storage) {
        this.storage = storage;
    }

    /**
     * A suggestion.
     *
     * @param status proposed, accepted, declined or revoked
     */
    public record Suggestion(
            String id,
            Instant at,
            String agent,
            String rule,
            String segment,
            Optional<Double> minConfidence,
            Optional<Double> minAmount,
            Optional<Double> maxAmount,
            int streak,
            String text,
            String status,
            Optional<String> runId,
            Optional<Integer> version,
            String note) {}

    public void add(Suggestion s) {
        storage.write(c -> Sql.update(
                c,
                "INSERT INTO policy_suggestions (id, at, agent, rule, segment, min_conf, min_amount, max_amount,"
                        + " streak, text, status, run_id, version, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                s.id(),
                s.at(),
                s.agent(),
                s.rule(),
                s.segment(),
                s.minConfidence(),
                s.minAmount(),
                s.maxAmount(),
                s.streak(),
                s.text(),
                s.status(),
                s.runId(),
                s.version(),
                s.note()));
    }

    public void inbox(String id, String runId) {
        storage.write(c -> Sql.update(c, "UPDATE policy_suggestions SET run_id = ? WHERE id = ?", runId, id));
    }

    public void answered(String id, String status, Optional<Integer> version, Instant at, String note) {
        storage.write(c -> Sql.update(
                c,
                "UPDATE policy_suggestions SET status = ?, version = ?, answered_at = ?, note = ? WHERE id = ?",
                status,
                version,
                at,
                note,
                id));
    }

    /** Notes something about a suggestion that leaves its status as it is. */
    public void note(String id, String note) {
        storage.write(c -> Sql.update(c, "UPDATE policy_suggestions SET note = ? WHERE id = ?", note, id));
    }

    public Optional<Suggestion> get(String id) {
        return storage.read(c -> Sql.one(c, "SELECT * FROM policy_suggestions WHERE id = ?", SuggestionStore::row, id));
    }

    public Optional<Suggestion> byRun(String runId) {
        return storage.read(
                c -> Sql.one(c, "SELECT * FROM policy_suggestions WHERE run_id = ?", SuggestionStore::row, runId));
    }

    /** The suggestions for one agent, gate and segment, newest first. */
    public List<Suggestion> of(String agent, String rule, String segment) {
        return storage.read(c -> Sql.query(
                c,
                "SELECT * FROM policy_suggestions WHERE agent = ? AND rule = ? AND segment = ? ORDER BY at DESC",
                SuggestionStore::row,
                agent,
                rule,
                segment));
    }

    /** Every suggestion, newest first. */
    public List<Suggestion> all() {
        return storage.read(
                c -> Sql.query(c, "SELECT * FROM policy_suggestions ORDER BY at DESC", SuggestionStore::row));
    }

    private static Suggestion row(Sql.Rs r) throws SQLException {
        int version = r.getInt("version");
        Optional<Integer> v = r.wasNull() ? Optional.empty() : Optional.of(version);
        return new Suggestion(
                r.getString("id"),
                Instant.ofEpochMilli(r.getLong("at")),
                r.getString("agent"),
                r.getString("rule"),
                r.getString("segment"),
                DecisionStore.optionalDouble(r, "min_conf"),
                DecisionStore.optionalDouble(r, "min_amount"),
                DecisionStore.optionalDouble(r, "max_amount"),
                r.getInt("streak"),
                r.getString("text"),
                r.getString("status"),
                Optional.ofNullable(r.getString("run_id")),
                v,
                r.getString("note"));
    }
}
