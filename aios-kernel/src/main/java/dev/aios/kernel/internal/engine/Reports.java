package dev.aios.kernel.internal.engine;

import dev.aios.kernel.Digest;
import dev.aios.kernel.KernelHealth;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.Database;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the operator's console reads beyond runs and tasks: work flow, the period's digest, runs per version. */
final class Reports {
    /** Failures and answers are grouped from at most this many rows of a period. */
    private static final int PERIOD_ROWS = 5_000;

    private final Database db;
    private final Connectors connectors;
    private final InstantSource clock;

    Reports(Database db, Connectors connectors, InstantSource clock) {
        this.db = db;
        this.connectors = connectors;
        this.clock = clock;
    }

    KernelHealth health() {
        long now = clock.millis();
        return db.read(tx -> {
            long leased = tx.count("SELECT COUNT(*) AS n FROM work WHERE lease_until > ?", now);
            String free = " AND (lease_until IS NULL OR lease_until <= ?)";
            long due = tx.count("SELECT COUNT(*) AS n FROM work WHERE visible_at <= ?" + free, now, now);
            long scheduled = tx.count("SELECT COUNT(*) AS n FROM work WHERE visible_at > ?" + free, now, now);
            var oldest = tx.queryOne(
                            "SELECT MIN(visible_at) AS n FROM work WHERE visible_at <= ?" + free,
                            r -> r.optionalInstant("n"),
                            now,
                            now)
                    .flatMap(o -> o);
            long awaiting = tx.count("SELECT COUNT(*) AS n FROM awaits");
            long dead = tx.count(
                    "SELECT COUNT(*) AS n FROM tasks WHERE status = 'open' AND kind IN ('dead-letter', 'compensation')");
            return new KernelHealth(due, leased, scheduled, oldest, awaiting, dead, connectors.breakers());
        });
    }

    /** Runs per playbook version ({@code name@version}), all statuses. */
    Map<String, Long> runsPerVersion() {
        return db.read(tx -> {
            var counts = new TreeMap<String, Long>();
            tx.query("SELECT playbook, version, COUNT(*) AS n FROM runs GROUP BY playbook, version", r -> {
                counts.put(r.text("playbook") + "@" + r.text("version"), r.integer("n"));
                return null;
            });
            return counts;
        });
    }

    Digest digest(Instant from) {
        Instant to = clock.instant();
        long since = from.toEpochMilli();
        return db.read(tx -> {
            long started = tx.count("SELECT COUNT(*) AS n FROM runs WHERE created_at >= ?", since);
            var ended = new ArrayList<Digest.Count>();
            for (var status : RunStatus.values()) {
                if (status.isFinal()) {
                    long n = tx.count(
                            "SELECT COUNT(*) AS n FROM runs WHERE status = ? AND updated_at >= ?",
                            status.wire(),
                            since);
                    if (n > 0) {
                        ended.add(new Digest.Count(status.wire(), n));
                    }
                }
            }
            var answered = tx.query(
                    "SELECT kind, status, COUNT(*) AS n FROM tasks WHERE resolved_at >= ? GROUP BY kind, status"
                            + " ORDER BY n DESC, kind, status",
                    r -> new Digest.Count(r.text("kind") + " " + r.text("status"), r.integer("n")),
                    since);
            var failures = new LinkedHashMap<String, List<String>>();
            tx.query(
                    "SELECT run_id, details FROM tasks WHERE kind IN ('dead-letter', 'compensation') AND created_at >= ?"
                            + " ORDER BY created_at DESC LIMIT ?",
                    r -> failures.computeIfAbsent(
                                    cause(Json.tree(r.text("details"))
                                            .path("error")
                                            .asText("")),
                                    c -> new ArrayList<>())
                            .add(r.text("run_id")),
                    since,
                    PERIOD_ROWS);
            tx.query(
                    "SELECT id, state FROM runs WHERE status = 'failed' AND updated_at >= ? ORDER BY updated_at DESC"
                            + " LIMIT ?",
                    r -> failures.computeIfAbsent(
                                    cause(Json.tree(r.text("state"))
                                            .path("error")
                                            .asText("")),
                                    c -> new ArrayList<>())
                            .add(r.text("id")),
                    since,
                    PERIOD_ROWS);
            var byCause = failures.entrySet().stream()
                    .map(e -> new Digest.Failure(
                            e.getKey(),
                            e.getValue().size(),
                            e.getValue().stream().distinct().limit(5).toList()))
                    .sorted((a, b) -> Long.compare(b.count(), a.count()))
                    .toList();
            var longest = tx.query(
                    "SELECT id, playbook, version, subject, status, current_step, created_at, updated_at FROM runs"
                            + " WHERE status IN ('completed', 'failed', 'cancelled', 'compensated') AND updated_at >= ?"
                            + " ORDER BY updated_at - created_at DESC LIMIT 10",
                    r -> {
                        var run = Views.summary(r);
                        return new Digest.Took(run, Duration.between(run.createdAt(), run.updatedAt()));
                    },
                    since);
            long open = tx.count("SELECT COUNT(*) AS n FROM tasks WHERE status = 'open'");
            var waits = new TreeMap<String, List<Long>>();
            tx.query(
                    "SELECT kind, resolved_at - created_at AS waited FROM tasks WHERE resolved_at >= ?"
                            + " AND status <> 'cancelled' ORDER BY resolved_at DESC LIMIT ?",
                    r -> waits.computeIfAbsent(r.text("kind"), k -> new ArrayList<>())
                            .add(r.integer("waited")),
                    since,
                    PERIOD_ROWS);
            var operatorTime = waits.entrySet().stream()
                    .map(e -> {
                        var sorted = e.getValue().stream().sorted().toList();
                        return new Digest.Wait(
                                e.getKey(),
                                sorted.size(),
                                Duration.ofMillis(sorted.get(sorted.size() / 2)),
                                Duration.ofMillis(sorted.getLast()));
                    })
                    .toList();
            return new Digest(from, to, started, ended, answered, byCause, longest, open, operatorTime);
        });
    }

    /** The first line of an error, without ids that differ from run to run being grouped apart. */
    static String cause(String error) {
        var line = error.isBlank()
                ? "(no error recorded)"
                : error.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
