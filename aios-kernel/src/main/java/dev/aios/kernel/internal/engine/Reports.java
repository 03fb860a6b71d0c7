package dev.aios.kernel.internal.engine;

import dev.aios.kernel.Digest;
import dev.aios.kernel.KernelHealth;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.internal.store.Store;
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

    private final Store store;
    private final Connectors connectors;
    private final InstantSource clock;

    Reports(Store store, Connectors connectors, InstantSource clock) {
        this.store = store;
        this.connectors = connectors;
        this.clock = clock;
    }

    KernelHealth health() {
        var now = clock.instant();
        return store.read(tx -> {
            var queue = tx.work().queue(now);
            long awaiting = tx.awaits().count();
            var open = tx.tasks().openByKind();
            long dead = java.util.stream.Stream.of(TaskKind.DEAD_LETTER, TaskKind.COMPENSATION)
                    .mapToLong(kind -> open.containsKey(kind) ? open.get(kind).open() : 0)
                    .sum();
            return new KernelHealth(
                    queue.due(),
                    queue.leased(),
                    queue.later(),
                    queue.oldestDue(),
                    awaiting,
                    dead,
                    connectors.breakers());
        });
    }

    /** Runs per playbook version ({@code name@version}), all statuses. */
    Map<String, Long> runsPerVersion() {
        return store.read(tx -> tx.reports().runsPerVersion());
    }

    Digest digest(Instant from) {
        Instant to = clock.instant();
        return store.read(tx -> {
            var reports = tx.reports();
            long started = reports.runsStarted(from);
            var ended = new ArrayList<Digest.Count>();
            for (var status : RunStatus.values()) {
                if (status.isFinal()) {
                    long n = reports.runsEnded(status, from);
                    if (n > 0) {
                        ended.add(new Digest.Count(status.wire(), n));
                    }
                }
            }
            var answered = reports.answered(from);
            var failures = new LinkedHashMap<String, List<String>>();
            for (var failure : reports.parkedSteps(from, PERIOD_ROWS)) {
                failures.computeIfAbsent(cause(failure.error()), c -> new ArrayList<>())
                        .add(failure.runId());
            }
            for (var failure : reports.failedRuns(from, PERIOD_ROWS)) {
                failures.computeIfAbsent(cause(failure.error()), c -> new ArrayList<>())
                        .add(failure.runId());
            }
            var byCause = failures.entrySet().stream()
                    .map(e -> new Digest.Failure(
                            e.getKey(),
                            e.getValue().size(),
                            e.getValue().stream().distinct().limit(5).toList()))
                    .sorted((a, b) -> Long.compare(b.count(), a.count()))
                    .toList();
            var longest = reports.longest(from, 10).stream()
                    .map(run -> new Digest.Took(run, Duration.between(run.createdAt(), run.updatedAt())))
                    .toList();
            long open = tx.tasks().countOpen();
            var waits = new TreeMap<String, List<Long>>();
            for (var wait : reports.waits(from, PERIOD_ROWS)) {
                waits.computeIfAbsent(wait.kind(), k -> new ArrayList<>()).add(wait.millis());
            }
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
