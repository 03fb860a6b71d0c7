package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.JournalRecord;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Overview;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.StoredEntry;
import dev.aios.kernel.spi.SubjectCipher;
import java.util.List;

/** What the operator reads: runs, journals, tasks; each from one committed moment. */
final class RunQueries {
    private final Store store;
    private final RunJournal journal;
    private final java.time.InstantSource now;

    RunQueries(Store store, RunJournal journal, java.time.InstantSource now) {
        this.store = store;
        this.journal = journal;
        this.now = now;
    }

    List<RunSummary> runs(RunQuery query) {
        return store.read(tx -> tx.runs().find(query));
    }

    Overview overview() {
        return store.read(tx -> {
            var counts = tx.runs().countByStatus();
            var byKind = new java.util.TreeMap<String, Overview.TaskCount>();
            tx.tasks().openByKind().forEach((kind, count) -> byKind.put(kind.wire(), count));
            long open =
                    byKind.values().stream().mapToLong(Overview.TaskCount::open).sum();
            var commits = store.commits();
            return new Overview(
                    counts,
                    open,
                    store.failing(),
                    commits.commits(),
                    commits.units(),
                    byKind,
                    tx.work().queue(now.instant()));
        });
    }

    RunView run(String runId) {
        return store.read(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> noRun(runId));
            var tasks = tx.tasks().ofRun(runId).stream().map(Views::task).toList();
            dev.aios.kernel.RunLink parent = null;
            if (state.parent != null) {
                var caller = journal.load(tx, state.parent.run);
                parent = new dev.aios.kernel.RunLink(
                        state.parent.run,
                        state.parent.step,
                        state.parent.iteration,
                        caller.map(c -> c.playbook).orElse(""),
                        caller.map(c -> c.version).orElse(""),
                        caller.flatMap(c -> java.util.Optional.ofNullable(c.children.get(runId)))
                                .map(c -> c.waits)
                                .orElse(true),
                        caller.map(c -> c.status.wire()).orElse("forgotten"));
            }
            return Views.run(state, tasks, tx.receipts().ofRun(runId), parent);
        });
    }

    List<JournalRecord> journal(String runId) {
        return store.read(tx -> {
            var stored = journal.stored(tx, runId);
            if (stored.isEmpty()) {
                throw noRun(runId);
            }
            return stored.stream()
                    .map(s -> new JournalRecord(s.runId(), s.seq(), s.type(), s.at(), payload(s), s.checksum()))
                    .toList();
        });
    }

    List<TaskView> tasks(boolean all) {
        return store.read(
                tx -> tx.tasks().list(all, 500).stream().map(Views::task).toList());
    }

    TaskView task(String taskId) {
        return store.read(tx -> tx.tasks()
                .find(taskId)
                .map(Views::task)
                .orElseThrow(() -> new NotFoundException("no task " + taskId + "; list open tasks with `aios tasks`")));
    }

    private JsonNode payload(StoredEntry stored) {
        try {
            return Json.tree(journal.payload(stored));
        } catch (SubjectCipher.ForgottenException e) {
            return Forgetting.FORGOTTEN.deepCopy();
        }
    }

    static NotFoundException noRun(String runId) {
        return new NotFoundException("no run " + runId + "; list runs with `aios runs`");
    }
}
