package dev.aios.kernel.internal.run;

import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitStarted;
import dev.aios.kernel.internal.journal.JournalEntry.AwaitTimedOut;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.JournalEntry.RunCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.RunFailed;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepFailed;
import dev.aios.kernel.internal.journal.JournalEntry.StepRetried;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.journal.JournalEntry.TaskOpened;
import dev.aios.kernel.internal.journal.JournalEntry.TaskResolved;
import dev.aios.kernel.internal.journal.JournalEntry.TimerSet;
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
                        "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt) VALUES (?, ?, ?, 'step', ?, ?)",
                        run,
                        e.step(),
                        e.iteration(),
                        at,
                        state.record(e.step()).attempts.size());
            case TimerSet e ->
                tx.update(
                        "UPDATE work SET kind = 'timer', visible_at = ?, lease_owner = NULL, lease_until = NULL"
                                + WORK_KEY,
                        e.fireAt(),
                        run,
                        e.step(),
                        e.iteration());
            case AwaitStarted e -> {
                tx.update(
                        "INSERT INTO awaits (run_id, step_id, iteration, event_type, subject, timeout_at) VALUES (?, ?, ?, ?, ?, ?)",
                        run,
                        e.step(),
                        e.iteration(),
                        e.eventType(),
                        state.subject,
                        e.timeoutAt());
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
            }
            case RunCompleted e -> endRun(tx, run, at);
            case RunFailed e -> endRun(tx, run, at);
            case RunCancelled e -> endRun(tx, run, at);
        }
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
        tx.update("DELETE FROM awaits WHERE run_id = ?", run);
        tx.update(
                "UPDATE tasks SET status = 'cancelled', resolved_at = ?,"
                        + " resolution = '{\"decision\":\"cancelled\",\"comment\":\"the run ended\"}'"
                        + " WHERE run_id = ? AND status = 'open'",
                at,
                run);
    }
}
