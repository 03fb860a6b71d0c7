package dev.aios.policy.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the policy decided for each agent step, and whether the output then committed on its own. */
public final class DecisionStore {
    private final Storage storage;

    public DecisionStore(Storage storage) {
        this.storage = storage;
    }

    /** Files the decisions about a forgotten subject under its pseudonym. */
    public void pseudonymize(String subject, String pseudonym) {
        storage.write(h -> h.update("UPDATE policy_decisions SET subject = ? WHERE subject = ?", pseudonym, subject));
    }

    /**
     * A decision.
     *
     * @param committed {@code auto} once the output committed without a task
     */
    public record Decision(
            String runId,
            String step,
            int iteration,
            Instant at,
            String playbook,
            String agent,
            String subject,
            List<String> segments,
            Optional<Double> confidence,
            Optional<Double> amount,
            String decision,
            String rule,
            Optional<String> suggestion,
            int version,
            Optional<String> committed) {}

    /** Records a decision; a later attempt of the same step replaces it. */
    public void put(Decision d) {
        storage.write(c -> Sql.update(
                c,
                "INSERT INTO policy_decisions (run_id, step_id, iteration, at, playbook, agent, subject,"
                        + " segments, confidence, amount, decision, rule, suggestion, version, committed)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
                        + " ON CONFLICT (run_id, step_id, iteration) DO UPDATE SET at = excluded.at,"
                        + " playbook = excluded.playbook, agent = excluded.agent, subject = excluded.subject,"
                        + " segments = excluded.segments, confidence = excluded.confidence, amount = excluded.amount,"
                        + " decision = excluded.decision, rule = excluded.rule, suggestion = excluded.suggestion,"
                        + " version = excluded.version, committed = NULL",
                d.runId(),
                d.step(),
                d.iteration(),
                d.at(),
                d.playbook(),
                d.agent(),
                d.subject(),
                VersionStore.text(VersionStore.MAPPER.valueToTree(d.segments())),
                d.confidence(),
                d.amount(),
                d.decision(),
                d.rule(),
                d.suggestion(),
                d.version()));
    }

    /** The decision for a step, if the policy made one. */
    public Optional<Decision> get(String runId, String step, int iteration) {
        return storage.read(c -> Sql.one(
                c,
                "SELECT * FROM policy_decisions WHERE run_id = ? AND step_id = ? AND iteration = ?",
                DecisionStore::row,
                runId,
                step,
                iteration));
    }

    /** The latest decision for a step of a run, whatever its iteration. */
    public Optional<Decision> latest(String runId, String step) {
        return storage.read(c -> Sql.one(
                c,
                "SELECT * FROM policy_decisions WHERE run_id = ? AND step_id = ? ORDER BY iteration DESC LIMIT 1",
                DecisionStore::row,
                runId,
                step));
    }

    /** Marks a step's output as committed without a task. */
    static void committed(Handle c, String runId, String step, int iteration) {
        Sql.update(
                c,
                "UPDATE policy_decisions SET committed = 'auto' WHERE run_id = ? AND step_id = ? AND iteration = ?",
                runId,
                step,
                iteration);
    }

    /** The times of the decisions since {@code from} matching one column, for rate limits. */
    public List<Instant> since(String column, String value, Instant from) {
        if (!List.of("agent", "subject", "playbook").contains(column)) {
            throw new IllegalArgumentException(column);
        }
        return storage.read(c -> Sql.query(
                c,
                "SELECT at FROM policy_decisions WHERE " + column + " = ? AND at >= ? ORDER BY at",
                r -> Instant.ofEpochMilli(r.getLong(1)),
                value,
                from));
    }

    static Decision row(Sql.Rs r) throws SQLException {
        var segments = new ArrayList<String>();
        try {
            VersionStore.MAPPER.readTree(r.getString("segments")).forEach(s -> segments.add(s.asText()));
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable segments", e);
        }
        return new Decision(
                r.getString("run_id"),
                r.getString("step_id"),
                r.getInt("iteration"),
                Instant.ofEpochMilli(r.getLong("at")),
                r.getString("playbook"),
                r.getString("agent"),
                r.getString("subject"),
                segments,
                optionalDouble(r, "confidence"),
                optionalDouble(r, "amount"),
                r.getString("decision"),
                r.getString("rule"),
                Optional.ofNullable(r.getString("suggestion")),
                r.getInt("version"),
                Optional.ofNullable(r.getString("committed")));
    }

    static Optional<Double> optionalDouble(Sql.Rs r, String column) throws SQLException {
        double value = r.getDouble(column);
        return r.wasNull() ? Optional.empty() : Optional.of(value);
    }

    /** The JSON of a list of segments. */
    static JsonNode json(List<String> segments) {
        return VersionStore.MAPPER.valueToTree(segments);
    }
}
