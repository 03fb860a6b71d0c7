package dev.aios.kernel.internal.run;

import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitStarted;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitTimedOut;
import dev.aios.kernel.internal.journal.JournalEntry.BranchEnded;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesStarted;
import dev.aios.kernel.internal.journal.JournalEntry.BranchesUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.ChildEnded;
import dev.aios.kernel.internal.journal.JournalEntry.ChildStarted;
import dev.aios.kernel.internal.journal.JournalEntry.ChildUndoing;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationFailed;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.EffectRecorded;
import dev.aios.kernel.internal.journal.JournalEntry.ItemsListed;
import dev.aios.kernel.internal.journal.JournalEntry.IterationEnded;
import dev.aios.kernel.internal.journal.JournalEntry.IterationStarted;
import dev.aios.kernel.internal.journal.JournalEntry.JoinScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCalled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompensated;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.RunFailed;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepDeferred;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepNoted;
import dev.aios.kernel.internal.journal.JournalEntry.StepRetried;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.journal.JournalEntry.TaskEscalated;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.journal.JournalEntry.TaskResolved;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
import dev.aios.kernel.internal.journal.JournalEntry.TurnsStarted;
import dev.aios.kernel.internal.playbook.StepPaths;
import dev.aios.kernel.internal.store.Tx;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Projects journal entries onto the derived tables (work, awaits, tasks, runs). The same code runs
 * when an entry is appended and when the tables are rebuilt, so both give the same rows.
 */
public final class Projector {
    private static final String WORK_KEY = " WHERE run_id = ? AND step_id = ? AND iteration = ?";

    private Projector() {}

    /** Applies the effect of {@code entry} (already folded into {@code state}) to the tables. */
    public static void project(Tx tx, RunState state, JournalEntry entry, Instant at) throws SQLException {
        String run = state.id;
        if (state.seq % SNAPSHOT_EVERY == 0) {
            snapshot(tx, state);
        }
        switch (entry) {
            case RunStarted e -> {}
            case StepScheduled e ->
                tx.update(
                        "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, 'step', ?, 0)",
                        run,
                        e.step(),
                        e.iteration(),
                        e.visibleAt());
            case StepStarted e ->
                tx.update("UPDATE work SET attempt = ?" + WORK_KEY, e.attempt(), run, e.step(), e.iteration());
            case StepCompleted e -> {
                tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
                tx.update("DELETE FROM awaits" + WORK_KEY, run, e.step(), e.iteration());
                tx.update("DELETE FROM loop_items WHERE run_id = ? AND block = ?", run, e.step());
            }
            case StepFailed e -> {
                if (e.retryAt().isPresent()) {
                    tx.update(
                            "UPDATE work SET visible_at = ?, lease_owner = NULL, lease_until = NULL" + WORK_KEY,
                            e.retryAt().get(),
                            run,
                            e.step(),
                            e.iteration());
                } else {
                    tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
                }
            }
            case StepRetried e ->
                tx.update(
                        "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, ?, ?, ?)",
                        run,
                        e.step(),
                        e.iteration(),
                        // a step holding others that failed to join its results tries the join again
                        state.blocks.containsKey(e.step()) ? "join" : "step",
                        at,
                        0); // a retry the operator asked for gets the step's attempts afresh
            case TimerSet e ->
                tx.update(
                        "UPDATE work SET kind = 'timer', visible_at = ?, lease_owner = NULL, lease_until = NULL"
                                + WORK_KEY,
                        e.fireAt(),
                        run,
                        e.step(),
                        e.iteration());
            case AwaitStarted e -> {
                // Events count from the trigger, or from where this step last stopped waiting.
                long from = state.awaited.getOrDefault(
                        e.step(), state.trigger.path("seq").asLong());
                tx.update(
                        "INSERT INTO awaits (run_id, step_id, iteration, event_type, subject, timeout_at, checked_seq)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        run,
                        e.step(),
                        e.iteration(),
                        e.eventType(),
                        state.subject,
                        e.timeoutAt(),
                        from);
                tx.update(
                        "UPDATE work SET kind = 'timeout', visible_at = ?, lease_owner = NULL, lease_until = NULL"
                                + WORK_KEY,
                        e.timeoutAt(),
                        run,
                        e.step(),
                        e.iteration());
            }
            case AwaitTimedOut e -> {
                tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
                tx.update("DELETE FROM awaits" + WORK_KEY, run, e.step(), e.iteration());
            }
            case EffectRecorded e ->
                tx.update(
                        "INSERT OR IGNORE INTO receipts (effect_key, run_id, step_id, iteration, name, result, at)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        e.key(),
                        run,
                        e.step(),
                        e.iteration(),
                        e.name(),
                        Json.text(e.result()),
                        at);
            case StepNoted e -> {}
            case StepDeferred e ->
                tx.update(
                        "UPDATE work SET visible_at = ?, attempt = ?, lease_owner = NULL, lease_until = NULL"
                                + WORK_KEY,
                        e.until(),
                        e.attempt() - 1,
                        run,
                        e.step(),
                        e.iteration());
            case CompensationStarted e -> {
                tx.update("DELETE FROM work WHERE run_id = ?", run);
                tx.update("DELETE FROM awaits WHERE run_id = ?", run);
                closeOpenTasks(tx, run, at, "the run is being undone");
            }
            case CompensationScheduled e ->
                tx.update(
                        "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, 'compensate', ?, 0)",
                        run,
                        e.step(),
                        e.iteration(),
                        at);
            case CompensationCompleted e -> tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
            case CompensationFailed e -> {
                if (e.retryAt().isPresent()) {
                    tx.update(
                            "UPDATE work SET visible_at = ?, attempt = ?, lease_owner = NULL, lease_until = NULL"
                                    + WORK_KEY,
                            e.retryAt().get(),
                            e.attempt(),
                            run,
                            e.step(),
                            e.iteration());
                } else {
                    tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
                }
            }
            case RunCompensated e -> endRun(tx, run, at);
            case TaskOpened e -> {
                tx.update(
                        "INSERT INTO tasks (id, run_id, step_id, iteration, kind, status, title, explanation, details, proposed, options, created_at)"
                                + " VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
                        e.task(),
                        run,
                        e.step(),
                        e.iteration(),
                        e.kind(),
                        e.title(),
                        e.explanation(),
                        Json.text(e.details()),
                        Json.text(e.proposed()),
                        Json.text(e.options()),
                        at);
                tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
            }
            case TaskResolved e -> {
                var resolution = Json.object();
                resolution.put("decision", e.decision());
                resolution.set("output", e.output());
                resolution.put("comment", e.comment());
                tx.update(
                        "UPDATE tasks SET status = ?, resolved_at = ?, resolution = ? WHERE id = ?",
                        e.decision(),
                        at,
                        Json.text(resolution),
                        e.task());
                // An answered task escalates no more.
                tx.update(
                        "DELETE FROM work WHERE kind = 'escalate' AND (run_id, step_id, iteration) IN"
                                + " (SELECT run_id, step_id, iteration FROM tasks WHERE id = ?)",
                        e.task());
            }
            case TaskEscalated e -> {
                var item = Json.object();
                item.put("at", at.toString());
                item.put("rail", e.rail());
                item.put("note", e.note());
                item.set("detail", e.detail());
                e.next().ifPresent(next -> item.put("next", next.toString()));
                tx.update(
                        "UPDATE tasks SET escalations = json_insert(escalations, '$[#]', json(?)) WHERE id = ?",
                        Json.text(item),
                        e.task());
                if (e.next().isPresent()) {
                    // While a task is open its step has no other work, so the escalation timer takes its key.
                    tx.update(
                            "INSERT OR REPLACE INTO work (run_id, step_id, iteration, kind, visible_at, attempt)"
                                    + " VALUES (?, ?, ?, 'escalate', ?, 0)",
                            run,
                            e.step(),
                            e.iteration(),
                            e.next().get());
                } else {
                    tx.update("DELETE FROM work" + WORK_KEY + " AND kind = 'escalate'", run, e.step(), e.iteration());
                }
            }
            case RunCompleted e -> endRun(tx, run, at);
            case RunFailed e -> endRun(tx, run, at);
            case RunCancelled e -> endRun(tx, run, at);
            case BranchesStarted e -> tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
            case BranchEnded e -> {
                if (!e.completed()) {
                    clearScope(tx, run, StepPaths.branch(e.step(), e.branch()), at);
                }
            }
            case BranchesUndoing e -> {}
            case ItemsListed e -> {
                tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
                tx.update("DELETE FROM loop_items WHERE run_id = ? AND block = ?", run, e.step());
                for (int i = 0; i < e.items().size(); i++) {
                    tx.update(
                            "INSERT INTO loop_items (run_id, block, idx, item) VALUES (?, ?, ?, ?)",
                            run,
                            e.step(),
                            i,
                            Json.text(e.items().get(i)));
                }
            }
            case TurnsStarted e -> tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
            // a conversation's next turn replaces the item that decided on it
            case IterationStarted e ->
                tx.update("DELETE FROM work" + WORK_KEY + " AND kind = 'join'", run, e.step(), e.iteration());
            case IterationEnded e ->
                tx.update(
                        "UPDATE loop_items SET outputs = ? WHERE run_id = ? AND block = ? AND idx = ?",
                        Json.text(e.outputs()),
                        run,
                        e.step(),
                        e.index());
            case RunCalled e -> {}
            case ChildStarted e -> tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
            case ChildEnded e -> {}
            case ChildUndoing e -> tx.update("DELETE FROM work" + WORK_KEY, run, e.step(), e.iteration());
            case JoinScheduled e ->
                tx.update(
                        "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, 'join', ?, 0)",
                        run,
                        e.step(),
                        e.iteration(),
                        at);
        }
    }

    /** Drops the work, awaits and open tasks of the steps inside {@code scope}, which was cancelled. */
    private static void clearScope(Tx tx, String run, String scope, Instant at) throws SQLException {
        String within = " WHERE run_id = ? AND substr(step_id, 1, ?) = ?";
        int length = scope.length() + 1;
        tx.update("DELETE FROM work" + within, run, length, scope + "/");
        tx.update("DELETE FROM awaits" + within, run, length, scope + "/");
        var resolution = Json.object();
        resolution.put("decision", "cancelled");
        resolution.put("comment", "the branch was cancelled: the parallel step's join was satisfied without it");
        tx.update(
                "UPDATE tasks SET status = 'cancelled', resolved_at = ?, resolution = ?" + within
                        + " AND status = 'open'",
                at,
                Json.text(resolution),
                run,
                length,
                scope + "/");
    }

    /** Writes the run's row from its state, after the entries of a unit were projected. */
    public static void saveRun(Tx tx, RunState state) throws SQLException {
        tx.update(
                "INSERT OR REPLACE INTO runs (id, playbook, version, subject, status, current_step, created_at, updated_at,"
                        + " last_seq, last_checksum, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                Json.text(state));
    }

    private static void endRun(Tx tx, String run, Instant at) throws SQLException {
        tx.update("DELETE FROM work WHERE run_id = ?", run);
        tx.update("DELETE FROM loop_items WHERE run_id = ?", run);
        tx.update("DELETE FROM awaits WHERE run_id = ?", run);
        closeOpenTasks(tx, run, at, "the run ended");
    }

    private static void closeOpenTasks(Tx tx, String run, Instant at, String why) throws SQLException {
        var resolution = Json.object();
        resolution.put("decision", "cancelled");
        resolution.put("comment", why);
        tx.update(
                "UPDATE tasks SET status = 'cancelled', resolved_at = ?, resolution = ? WHERE run_id = ? AND status = 'open'",
                at,
                Json.text(resolution),
                run);
    }

    /** Every this many entries, a run's state is kept as a snapshot. */
    public static final int SNAPSHOT_EVERY = 1000;

    private static void snapshot(Tx tx, RunState state) throws SQLException {
        tx.update(
                "INSERT INTO snapshots (run_id, seq, checksum, state) VALUES (?, ?, ?, ?)",
                state.id,
                state.seq,
                state.checksum,
                Json.text(state));
        // Two are enough: the newest, and one before it in case the newest is damaged.
        tx.update("DELETE FROM snapshots WHERE run_id = ? AND seq < ?", state.id, state.seq - SNAPSHOT_EVERY);
    }
}
