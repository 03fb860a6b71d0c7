package dev.aios.kernel.internal.engine;

import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.internal.Ids;
import dev.aios.kernel.internal.journal.JournalEntry.RunCancelled;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

/**
 * Runs that call runs: a call step starts a child run (in the same transaction that records the
 * step), a child that ends tells its parent, and a parent that is cancelled or undone cancels its
 * children still going. Everything here happens in the writer's transaction that caused it; what
 * is recorded is decided by {@link Calls}.
 */
final class Lineage implements RunJournal.StatusListener {
    private final RunJournal journal;
    private final Playbooks playbooks;
    private final InstantSource clock;

    Lineage(RunJournal journal, Playbooks playbooks, InstantSource clock) {
        this.journal = journal;
        this.playbooks = playbooks;
        this.clock = clock;
    }

    /**
     * Starts the child run of a call step and records it in the parent; a call that does not wait
     * completes at once. Returns why it cannot start, when it cannot (and then records nothing).
     */
    Optional<String> start(
            Tx tx, RunWrites parent, CompiledPlaybook playbook, String path, Outcome.Call call, Instant now) {
        Optional<CompiledPlaybook> child;
        try {
            child = Optional.of(playbooks.active(call.playbook()));
        } catch (NotFoundException e) {
            child = Optional.empty();
        }
        var start = Calls.start(
                parent.state(),
                playbook,
                path,
                call,
                child,
                () -> Ids.next("r", now),
                EventIntake.head(tx),
                now,
                parent.facts());
        return switch (start) {
            case Calls.Refused refused -> Optional.of(refused.why());
            case Calls.Started started -> {
                journal.append(tx, RunFold.empty(started.childId()), now, started.child());
                parent.append(started.parent());
                yield Optional.empty();
            }
        };
    }

    /**
     * Undoes the child of a call step being undone: a completed child is undone (and the parent's undo
     * waits for it), one being undone already is waited for, and any other has nothing to undo.
     */
    void undo(
            Tx tx,
            RunWrites parent,
            CompiledPlaybook playbook,
            String path,
            int iteration,
            String childId,
            Instant now) {
        var child = journal.load(tx, childId).orElseThrow();
        var undo = Calls.undo(
                parent.state(),
                playbook,
                path,
                iteration,
                child,
                () -> Saga.start(
                        playbooks.version(child.playbook, child.version),
                        "run " + parent.state().id + ", which called it, is being undone",
                        Saga.completed(tx, journal, child)),
                now,
                parent.facts());
        if (!undo.child().isEmpty()) {
            journal.append(tx, child, now, undo.child());
        }
        parent.append(undo.parent());
    }

    @Override
    public void changed(Tx tx, RunState state, RunStatus before) {
        if (state.status.isFinal() && state.parent != null) {
            tellParent(tx, state);
        }
        // A parent that completed leaves the children it did not wait for running; one that was
        // cancelled, failed or is being undone takes them with it.
        if ((state.status.isFinal() || state.status == RunStatus.COMPENSATING)
                && state.status != RunStatus.COMPLETED
                && !state.children.isEmpty()) {
            cancelChildren(tx, state);
        }
    }

    private void tellParent(Tx tx, RunState child) {
        var found = journal.load(tx, child.parent.run);
        if (found.isEmpty()) {
            return;
        }
        var parent = found.get();
        Instant now = clock.instant();
        var writes = new RunWrites(tx, journal, parent, now);
        writes.append(Calls.ended(
                parent,
                () -> playbooks.version(parent.playbook, parent.version),
                child,
                now,
                writes.facts(),
                () -> Ids.next("t", now)));
    }

    private void cancelChildren(Tx tx, RunState parent) {
        String why = "run " + parent.id + ", which called it, "
                + (parent.status == RunStatus.COMPENSATING ? "is being undone" : "ended " + parent.status.wire());
        Instant now = clock.instant();
        for (var id : List.copyOf(parent.children.keySet())) {
            var child = journal.load(tx, id);
            if (child.isEmpty() || child.get().status.isFinal() || child.get().status == RunStatus.COMPENSATING) {
                continue;
            }
            var state = child.get();
            var playbook = playbooks.version(state.playbook, state.version);
            if (!Saga.start(tx, journal, state, playbook, why, now)) {
                journal.append(tx, state, now, List.of(new RunCancelled(why)));
            }
        }
    }

    /** The child of the call step at {@code path}, iteration {@code iteration}. */
    static Optional<String> childOf(RunState state, String path, int iteration) {
        return state.children.entrySet().stream()
                .filter(e -> e.getValue().step.equals(path) && e.getValue().iteration == iteration)
                .map(java.util.Map.Entry::getKey)
                .findFirst();
    }

    /** Whether {@code step} is a call step (compensated by undoing its child). */
    static boolean isCall(CompiledStep step) {
        return step instanceof CompiledStep.Call;
    }
}
