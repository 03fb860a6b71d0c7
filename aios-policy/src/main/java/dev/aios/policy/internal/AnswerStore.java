package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The operator's answers to tasks, as data: outcome, change, time spent; per agent, rule and segment. */
public final class AnswerStore {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Storage storage;

    public AnswerStore(Storage storage) {
        this.storage = storage;
    }

    /** Files the answers about a forgotten subject under its pseudonym (what they proposed and changed is sealed). */
    public void pseudonymize(String subject, String pseudonym) {
        storage.write(h -> h.update("UPDATE policy_answers SET subject = ? WHERE subject = ?", pseudonym, subject));
    }

    /** A task as it opened, with what the policy knew of its step. */
    record Opened(
            String taskId,
            String runId,
            String step,
            int iteration,
            String kind,
            String playbook,
            String agent,
            String subject,
            String rule,
            List<String> segments,
            Optional<Double> confidence,
            Optional<Double> amount,
            Instant at,
            byte[] proposed) {}

    static void opened(Handle c, Opened o) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO policy_answers (task_id, run_id, step_id, iteration, kind, playbook, agent,"
                        + " subject, rule, segments, confidence, amount, opened_at, proposed)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id) DO NOTHING",
                o.taskId(),
                o.runId(),
                o.step(),
                o.iteration(),
                o.kind(),
                o.playbook(),
                o.agent(),
                o.subject(),
                o.rule(),
                VersionStore.text(DecisionStore.json(o.segments())),
                o.confidence(),
                o.amount(),
                o.at(),
                o.proposed());
    }

    /** The sealed proposal of an open task, and its subject, if the task is known. */
    static Optional<byte[]> proposed(Handle c, String taskId) throws SQLException {
        return Sql.one(c, "SELECT proposed FROM policy_answers WHERE task_id = ?", r -> r.getBytes(1), taskId);
    }

    static void resolved(Handle c, String taskId, Instant at, String decision, String outcome, byte[] change)
            throws SQLException {
        var viewed = Sql.one(
                c, "SELECT at FROM policy_views WHERE task_id = ?", r -> Instant.ofEpochMilli(r.getLong(1)), taskId);
        Sql.update(
                c,
                "UPDATE policy_answers SET answered_at = ?, decision = ?, outcome = ?, change = ?, viewed_at = ?,"
                        + " operator_ms = ? WHERE task_id = ?",
                at,
                decision,
                outcome,
                change,
                viewed.orElse(null),
                viewed.map(v -> Math.max(0, Duration.between(v, at).toMillis())).orElse(null),
                taskId);
        // The answer keeps when it was first seen; the view itself is not needed any more.
        Sql.update(c, "DELETE FROM policy_views WHERE task_id = ?", taskId);
    }

    /** Notes that the operator opened a task now, unless they had before. */
    public void viewed(String taskId, Instant at) {
        storage.write(c -> Sql.update(
                c,
                "INSERT INTO policy_views (task_id, at) VALUES (?, ?) ON CONFLICT (task_id) DO NOTHING",
                taskId,
                at));
    }

    /** Notes that the operator was shown {@code taskIds} now, for those not seen before. */
    public void viewed(java.util.Collection<String> taskIds, Instant at) {
        if (taskIds.isEmpty()) {
            return;
        }
        var ids = List.copyOf(taskIds);
        var marks = Sql.marks(ids.size());
        var seen = storage.read(c -> Sql.query(
                c,
                "SELECT task_id FROM policy_views WHERE task_id IN (" + marks + ")",
                r -> r.getString(1),
                ids.toArray()));
        var unseen = ids.stream().filter(id -> !seen.contains(id)).distinct().toList();
        if (unseen.isEmpty()) {
            return;
        }
        storage.write(c -> {
            for (var id : unseen) {
                Sql.update(
                        c,
                        "INSERT INTO policy_views (task_id, at) VALUES (?, ?) ON CONFLICT (task_id) DO NOTHING",
                        id,
                        at);
            }
            return null;
        });
    }

    /**
     * The operator's median time on answered tasks of {@code kind} (and {@code agent}, when it has
     * answers of its own) since {@code since}; empty with fewer than {@code minimum} timed answers.
     */
    public Optional<Duration> medianTime(String kind, String agent, Instant since, int minimum) {
        return storage.read(c -> {
            var times = Sql.query(
                    c,
                    "SELECT operator_ms FROM policy_answers WHERE kind = ? AND agent = ? AND operator_ms IS NOT NULL"
                            + " AND answered_at >= ? ORDER BY operator_ms",
                    r -> r.getLong(1),
                    kind,
                    agent,
                    since);
            if (times.size() < minimum) {
                times = Sql.query(
                        c,
                        "SELECT operator_ms FROM policy_answers WHERE kind = ? AND operator_ms IS NOT NULL"
                                + " AND answered_at >= ? ORDER BY operator_ms",
                        r -> r.getLong(1),
                        kind,
                        since);
            }
            return times.size() < minimum
                    ? Optional.<Duration>empty()
                    : Optional.of(Duration.ofMillis(times.get(times.size() / 2)));
        });
    }

    /**
     * The answers since {@code since}, per agent, rule and segment: how many were approved
     * unchanged, edited, rejected, and the operator's median time.
     */
    public ArrayNode stats(Instant since) {
        return storage.read(c -> {
            var rows = Sql.query(
                    c,
                    "SELECT agent, rule, segments, kind, outcome, operator_ms FROM policy_answers"
                            + " WHERE answered_at >= ? AND outcome IS NOT NULL AND outcome <> 'cancelled'"
                            + " ORDER BY agent, rule, segments",
                    r -> new String[] {
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getString(4),
                        r.getString(5),
                        r.getObject(6) == null ? "" : Long.toString(r.getLong(6))
                    },
                    since);
            var out = JSON.arrayNode();
            String[] key = null;
            var group = new ArrayList<String[]>();
            for (var row : rows) {
                if (key != null && !(key[0].equals(row[0]) && key[1].equals(row[1]) && key[2].equals(row[2]))) {
                    out.add(line(group));
                    group.clear();
                }
                key = row;
                group.add(row);
            }
            if (!group.isEmpty()) {
                out.add(line(group));
            }
            return out;
        });
    }

    private static JsonNode line(List<String[]> group) {
        var first = group.getFirst();
        var line = JSON.objectNode().put("agent", first[0]).put("rule", first[1]);
        try {
            line.set("segments", VersionStore.MAPPER.readTree(first[2]));
        } catch (java.io.IOException e) {
            line.putArray("segments");
        }
        long unchanged = group.stream().filter(r -> "unchanged".equals(r[4])).count();
        long edited = group.stream().filter(r -> "edited".equals(r[4])).count();
        long rejected = group.stream().filter(r -> "rejected".equals(r[4])).count();
        long corrected = group.stream().filter(r -> "corrected".equals(r[4])).count();
        var times = group.stream()
                .filter(r -> !r[5].isEmpty())
                .map(r -> Long.parseLong(r[5]))
                .sorted()
                .toList();
        line.put("answers", group.size())
                .put("unchanged", unchanged)
                .put("edited", edited)
                .put("rejected", rejected)
                .put("corrected", corrected);
        if (!times.isEmpty()) {
            line.put("medianOperatorSeconds", times.get(times.size() / 2) / 1000.0);
        }
        return line;
    }
}
