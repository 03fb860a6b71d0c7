package dev.aios.kernel.internal.engine;

import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.PlaybookDiff;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.WhatIfReport;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.PlaybookJson;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.whatif.Recording;
import dev.aios.kernel.internal.whatif.Simulation;
import dev.aios.kernel.spi.SubjectCipher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What-if replay: a finished run's recording fed to another version of its playbook, and a
 * playbook's versions compared on their recent runs. Reads only; calls no agent or connector.
 */
final class WhatIf {
    /** The most runs {@link #diff} replays. */
    static final int MAX_RUNS = 500;

    private final Store store;
    private final RunJournal journal;
    private final Playbooks playbooks;
    private final RunQueries queries;

    WhatIf(Store store, RunJournal journal, Playbooks playbooks, RunQueries queries) {
        this.store = store;
        this.journal = journal;
        this.playbooks = playbooks;
        this.queries = queries;
    }

    /** Replays run {@code runId} against {@code against}, a version of the same playbook. */
    WhatIfReport replay(String runId, CompiledPlaybook against) {
        var recording = recording(runId);
        if (!recording.playbook().equals(against.name())) {
            throw new InvalidInputException("run " + runId + " is a run of playbook '" + recording.playbook()
                    + "', not '" + against.name() + "'; replay it against a version of its own playbook");
        }
        return Simulation.run(recording, against);
    }

    /**
     * Compares version {@code to} with {@code from}: the steps that differ, and the last {@code last}
     * finished runs of the playbook ({@code onlyFrom}: of version {@code from} only) replayed against
     * {@code to}.
     */
    PlaybookDiff diff(CompiledPlaybook from, CompiledPlaybook to, boolean onlyFrom, int last) {
        if (!from.name().equals(to.name())) {
            throw new InvalidInputException("cannot compare playbook '" + from.name() + "' with playbook '" + to.name()
                    + "'; compare two versions of one playbook");
        }
        if (last < 1 || last > MAX_RUNS) {
            throw new InvalidInputException(
                    "the number of runs to replay must be between 1 and " + MAX_RUNS + ", was " + last);
        }
        var before = PlaybookJson.stepsByPath(from.model());
        var after = PlaybookJson.stepsByPath(to.model());
        var added = after.keySet().stream().filter(p -> !before.containsKey(p)).toList();
        var removed =
                before.keySet().stream().filter(p -> !after.containsKey(p)).toList();
        var changed = after.keySet().stream()
                .filter(p -> before.containsKey(p) && !before.get(p).equals(after.get(p)))
                .toList();
        var reports = new ArrayList<WhatIfReport>();
        for (var run : finishedRuns(from, onlyFrom, last)) {
            try {
                reports.add(Simulation.run(recording(run.id()), to));
            } catch (ConflictException e) {
                // a run whose subject was forgotten cannot be replayed; it is left out
            }
        }
        return new PlaybookDiff(from.name(), from.version(), to.version(), added, removed, changed, reports);
    }

    private List<RunSummary> finishedRuns(CompiledPlaybook from, boolean onlyFrom, int last) {
        var runs = new ArrayList<RunSummary>();
        for (var run : queries.runs(RunQuery.all().withPlaybook(from.name()).withLimit(1000))
                .items()) {
            if (run.status().isFinal() && (!onlyFrom || run.version().equals(from.version()))) {
                runs.add(run);
                if (runs.size() == last) {
                    break;
                }
            }
        }
        return runs;
    }

    private Recording recording(String runId) {
        return store.read(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> RunQueries.noRun(runId));
            if (!state.status.isFinal()) {
                throw new ConflictException("run " + runId + " is still " + state.status.wire()
                        + "; a what-if replay needs a finished run, so replay it once it has ended");
            }
            var entries = new ArrayList<Map.Entry<JournalEntry, Instant>>();
            try {
                for (var stored : journal.stored(tx, runId)) {
                    entries.add(Map.entry(journal.decode(stored), stored.at()));
                }
            } catch (SubjectCipher.ForgottenException e) {
                throw new ConflictException("run " + runId + " is about subject '" + state.subject
                        + "', which was forgotten; its recording can no longer be read");
            }
            return Recording.of(runId, entries, state.status);
        });
    }

    /** Parses {@code reference} ({@code NAME@VERSION}, or {@code NAME} for the active version). */
    static Map.Entry<String, Optional<String>> reference(String reference) {
        int at = reference.indexOf('@');
        return at < 0
                ? Map.entry(reference, Optional.empty())
                : Map.entry(reference.substring(0, at), Optional.of(reference.substring(at + 1)));
    }
}
