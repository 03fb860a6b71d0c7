package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Cursor;
import dev.aios.kernel.JournalRecord;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Overview;
import dev.aios.kernel.Page;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskQuery;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.StoredEntry;
import dev.aios.kernel.spi.SubjectCipher;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

    Page<RunSummary> runs(RunQuery query) {
        var rows = store.read(tx -> tx.runs().find(query, query.limit() + 1));
        return page(rows, query.limit(), run -> new Cursor(run.createdAt(), run.id()));
    }

    /** The first {@code limit} of {@code rows} (fetched one longer), and a cursor when there were more. */
    private static <T> Page<T> page(List<T> rows, int limit, java.util.function.Function<T, Cursor> cursor) {
        if (rows.size() <= limit) {
            return new Page<>(rows, Optional.empty());
        }
        var items = rows.subList(0, limit);
        return new Page<>(items, Optional.of(cursor.apply(items.getLast()).encode()));
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
        return journal(runId, 0, Integer.MAX_VALUE);
    }

    /** At most {@code limit} of a run's entries after {@code afterSeq}, oldest first. */
    List<JournalRecord> journal(String runId, long afterSeq, int limit) {
        return store.read(tx -> {
            var stored = journal.stored(tx, runId, afterSeq, limit);
            if (stored.isEmpty() && (afterSeq == 0 || !tx.runs().exists(runId))) {
                throw noRun(runId);
            }
            return stored.stream()
                    .map(s -> new JournalRecord(s.runId(), s.seq(), s.type(), s.at(), payload(s), s.checksum()))
                    .toList();
        });
    }

    Page<TaskView> tasks(TaskQuery query) {
        var rows = store.read(tx -> tx.tasks().find(query, query.limit() + 1).stream()
                .map(Views::task)
                .toList());
        return page(rows, query.limit(), task -> new Cursor(task.createdAt(), task.id()));
    }

    /** Open tasks counted by kind. */
    Map<String, Long> openTasksByKind() {
        return store.read(tx -> {
            var counts = new java.util.TreeMap<String, Long>();
            tx.tasks().openByKind().forEach((kind, count) -> counts.put(kind.wire(), count.open()));
            return counts;
        });
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
