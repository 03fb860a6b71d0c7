package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.ProgressListener;
import dev.aios.kernel.RebuildReport;
import dev.aios.kernel.ReplayReport;
import dev.aios.kernel.VerifyReport;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.Checksums;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.run.Projector;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.JournalStore;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.StoredEntry;
import dev.aios.kernel.internal.store.Tx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Checks and rebuilds the derived state. Verification recomputes every run's checksum chain and
 * replays every journal into a scratch store of the same kind, then compares it row by row with the
 * real one; rebuilding replaces the derived state with that replay. Stateful agents' instances are
 * checked against, and rebuilt from, their messages ({@link InstanceAudit}).
 */
public final class Audit {
    private final RunJournal journal;
    private final InstanceAudit instances;

    public Audit(RunJournal journal) {
        this.journal = journal;
        this.instances = new InstanceAudit(journal.codec());
    }

    /** Verifies {@code store}: chains, folds and derived state, all as of one moment. */
    public VerifyReport verify(Store store) {
        return verify(store, ProgressListener.NONE);
    }

    /** As {@link #verify(Store)}; {@code progress} counts each run twice (chain, then replay). */
    public VerifyReport verify(Store store, ProgressListener progress) {
        var problems = new ArrayList<String>();
        long[] counts = new long[2];
        try (var scratch = store.scratch()) {
            store.read(tx -> {
                var runIds = tx.journal().runIds();
                counts[0] = runIds.size();
                long total = 2L * runIds.size();
                long done = 0;
                progress.advanced(0, total);
                for (String runId : runIds) {
                    counts[1] += checkChain(tx, runId, problems);
                    progress.advanced(++done, total);
                }
                var stored = new HashSet<>(tx.runs().ids());
                runIds.forEach(stored::remove);
                stored.forEach(id -> problems.add("run " + id + " is in the runs table but has no journal"));
                var skipped = forgottenRuns(tx);
                for (String runId : runIds) {
                    if (!skipped.contains(runId) && !replays(tx, runId, problems)) {
                        skipped.add(runId);
                    }
                }
                var actual = tx.derived().rows(skipped);
                var replayed = new ArrayList<CompletableFuture<Long>>();
                var replays = new java.util.concurrent.atomic.AtomicLong(runIds.size());
                for (String runId : runIds) {
                    if (!skipped.contains(runId)) {
                        var entries = journal.stored(tx, runId);
                        replayed.add(scratch.submit(target -> replay(target, runId, entries))
                                .whenComplete((n, e) -> progress.advanced(replays.incrementAndGet(), total)));
                    } else {
                        progress.advanced(replays.incrementAndGet(), total);
                    }
                }
                CompletableFuture.allOf(replayed.toArray(CompletableFuture[]::new))
                        .join();
                progress.advanced(total, total);
                compare(scratch.read(target -> target.derived().rows(skipped)), actual, problems);
                // The runs' states apart from their rows: a stored state may be behind its journal.
                var replayedStates = scratch.read(target -> states(target, runIds, skipped));
                compareStates(replayedStates, states(tx, runIds, skipped), problems);
                problems.addAll(dev.aios.kernel.internal.access.AuditTrail.verify(tx));
                problems.addAll(instances.verify(tx));
                return null;
            });
        }
        return new VerifyReport(counts[0], counts[1], problems);
    }

    /**
     * Re-folds one run from its journal and reports any divergence from its stored state. Starts
     * from the newest snapshot that still matches the journal, unless {@code full}; a full replay
     * also checks every snapshot against the fold at its entry.
     */
    public ReplayReport replay(Store store, String runId, boolean full) {
        return store.read(tx -> {
            var stored = journal.load(tx, runId)
                    .orElseThrow(() -> new NotFoundException("no run " + runId + "; list runs with `aios runs`"));
            var divergences = new ArrayList<String>();
            var snapshots = tx.snapshots().of(runId);
            RunState state = RunFold.empty(runId);
            long from = 0;
            if (!full) {
                for (var snapshot : snapshots) {
                    var at = tx.journal().checksum(runId, snapshot.seq());
                    if (at.isPresent() && at.get().equals(snapshot.checksum())) {
                        state = snapshot.state();
                        from = snapshot.seq();
                        break;
                    }
                    divergences.add("snapshot at entry " + snapshot.seq() + " does not match the journal; skipped");
                }
            }
            var bySeq = new HashMap<Long, String>();
            snapshots.forEach(s -> bySeq.put(s.seq(), Json.text(s.state())));
            long entries = 0;
            for (var entry : journal.stored(tx, runId, from)) {
                RunFold.applyStored(state, journal.decode(entry), entry.at(), entry.seq(), entry.checksum());
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

    /** Replaces the derived state of {@code store} with a replay of the journal. */
    public RebuildReport rebuild(Store store) {
        return rebuild(store, ProgressListener.NONE);
    }

    /** As {@link #rebuild(Store)}, telling {@code progress} how many runs are replayed. */
    public RebuildReport rebuild(Store store, ProgressListener progress) {
        return store.write(tx -> {
            // A forgotten run cannot be replayed; its scrubbed rows are kept as they are.
            var forgotten = forgottenRuns(tx);
            var runIds = tx.journal().runIds();
            var before = tx.derived().rows(forgotten);
            var statesBefore = states(tx, runIds, forgotten);
            tx.derived().clear(forgotten);
            long entries = 0;
            long done = 0;
            for (String runId : runIds) {
                progress.advanced(done++, runIds.size());
                if (!forgotten.contains(runId)) {
                    entries += replay(tx, runId, journal.stored(tx, runId));
                }
            }
            progress.advanced(runIds.size(), runIds.size());
            var diffs = new ArrayList<String>();
            compare(tx.derived().rows(forgotten), before, diffs);
            compareStates(states(tx, runIds, forgotten), statesBefore, diffs);
            // Stateful agents' instances follow from their messages, their own log.
            long instancesChanged = instances.rebuild(tx);
            return new RebuildReport(runIds.size(), entries, diffs.size() + instancesChanged);
        });
    }

    /** Recomputes one run's checksum chain. */
    public dev.aios.kernel.ChainReport chain(Store store, String runId) {
        return store.read(tx -> {
            var last = journal.load(tx, runId).map(s -> s.checksum).orElseThrow(() -> RunQueries.noRun(runId));
            var problems = new ArrayList<String>();
            long entries = checkChain(tx, runId, problems);
            return new dev.aios.kernel.ChainReport(runId, entries, last, problems);
        });
    }

    private static long checkChain(Tx tx, String runId, List<String> problems) {
        String previous = "";
        long expectedSeq = 1;
        var stored = tx.journal().entries(runId, 0);
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

    /** Folds and projects one run's journal into {@code target}; returns how many entries. */
    private long replay(Tx target, String runId, List<StoredEntry> entries) {
        RunState state = RunFold.empty(runId);
        for (var stored : entries) {
            var entry = journal.decode(stored);
            RunFold.applyStored(state, entry, stored.at(), stored.seq(), stored.checksum());
            Projector.project(target, state, entry, stored.at());
        }
        target.runs().saveWhole(state);
        return entries.size();
    }

    /**
     * The current state of every run of {@code runIds} but {@code excluded} that has one, as JSON
     * trees: the stored state with the entries it is behind folded in. The derived rows leave the
     * stored JSON out, since how far behind it is depends on when it was last written whole.
     */
    private Map<String, JsonNode> states(Tx tx, List<String> runIds, Set<String> excluded) {
        var states = new HashMap<String, JsonNode>();
        for (String runId : runIds) {
            if (!excluded.contains(runId)) {
                journal.load(tx, runId).ifPresent(state -> states.put(runId, Json.tree(Json.text(state))));
            }
        }
        return states;
    }

    /** Reports the runs whose current state differs from the journal's; a missing run is the rows' to say. */
    private static void compareStates(
            Map<String, JsonNode> expected, Map<String, JsonNode> actual, List<String> problems) {
        for (var run : expected.entrySet()) {
            var have = actual.get(run.getKey());
            if (have != null && !have.equals(run.getValue())) {
                problems.add("run " + run.getKey() + ": " + describeDifference("", run.getValue(), have));
            }
        }
    }

    /** Whether every entry of the run can be read and folded; if not, says why. */
    private boolean replays(Tx tx, String runId, List<String> problems) {
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
    private static Set<String> forgottenRuns(Tx tx) {
        var encodings = tx.keys().destroyed().stream()
                .map(key -> new JournalStore.Encoding(key.subject(), SubjectKeys.codecOf(key.generation())))
                .toList();
        return new HashSet<>(tx.journal().runsEncodedWith(encodings));
    }

    private static void compare(
            Map<String, Map<String, String>> expected, Map<String, Map<String, String>> actual, List<String> problems) {
        for (var table : expected.entrySet()) {
            var want = table.getValue();
            var have = actual.getOrDefault(table.getKey(), Map.of());
            for (var row : want.entrySet()) {
                String got = have.get(row.getKey());
                if (got == null) {
                    problems.add(table.getKey() + ": row " + row.getKey() + " is missing; the journal says "
                            + row.getValue());
                } else if (!Objects.equals(got, row.getValue())) {
                    problems.add(table.getKey() + ": row " + row.getKey() + " differs from the journal: stored " + got
                            + "; journal says " + row.getValue());
                }
            }
            for (var row : have.keySet()) {
                if (!want.containsKey(row)) {
                    problems.add(table.getKey() + ": row " + row + " is not backed by the journal");
                }
            }
        }
    }
}
