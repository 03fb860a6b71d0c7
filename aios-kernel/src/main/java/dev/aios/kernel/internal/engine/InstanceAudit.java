package dev.aios.kernel.internal.engine;

import dev.aios.kernel.MessageStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.PayloadCodec;
import dev.aios.kernel.internal.store.InstanceStore;
import dev.aios.kernel.internal.store.InstanceStore.Instance;
import dev.aios.kernel.internal.store.InstanceStore.Message;
import dev.aios.kernel.internal.store.InstanceStore.Restored;
import dev.aios.kernel.internal.store.Tx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Checks and rebuilds stateful agents' instances against their messages, which are their log: an
 * instance's state is the one its newest handled message left (kept with the message), its counts,
 * last message and due time follow from its mailbox, and every message and receipt belongs to an
 * instance. Only the newest {@link Mailboxes#KEEP} handled messages are kept, so once an instance has
 * more, its counts are checked as lower bounds.
 */
final class InstanceAudit {
    /**
     * The order in which an instance handled its messages. Several share one handling time on a coarse
     * or standing clock; among them the mailbox took the one due first, then the one received first
     * (its head is the queued message with the lowest due time, then sequence number).
     */
    private static final Comparator<Message> BY_HANDLING = Comparator.comparing(
                    (Message m) -> m.handledAt().orElse(Instant.EPOCH))
            .thenComparing(Message::dueAt)
            .thenComparingLong(Message::seq);

    private final Sealing sealing;

    InstanceAudit(PayloadCodec codec) {
        this.sealing = new Sealing(codec);
    }

    /** What follows from an instance's messages, and whether its state could be derived from them. */
    private record Derived(Restored restored, boolean stateKnown, boolean trimmed) {}

    /** What is wrong with the instances, one line each. */
    List<String> verify(Tx tx) {
        var problems = new ArrayList<String>();
        var store = tx.instances();
        for (var orphan : store.orphans()) {
            problems.add("agent instances: messages or receipts of agent '" + orphan.agent() + "' for '"
                    + orphan.subject() + "' belong to no instance (admin rebuild restores it from its messages)");
        }
        for (var instance : store.instances(Optional.empty())) {
            String name = "agent instance " + instance.agent() + "/" + instance.subject() + ": ";
            var messages = store.messages(instance.agent(), instance.subject(), Integer.MAX_VALUE);
            var stored = store.state(instance.agent(), instance.subject()).orElseThrow();
            if (messages.isEmpty()) {
                problems.add(name + "it has no messages, not even the one that created it");
                continue;
            }
            var derived = derive(Optional.of(instance), stored, messages);
            var want = derived.restored();
            if (derived.stateKnown()
                    && !sealing.open(instance.subject(), stored)
                            .equals(sealing.open(instance.subject(), want.state()))) {
                problems.add(name + "its state is not the one its last handled message left"
                        + want.lastMessage().map(id -> " (" + id + ")").orElse(""));
            }
            if (instance.handled() != want.handled() || instance.failed() != want.failed()) {
                problems.add(name + "it counts " + instance.handled() + " handled and " + instance.failed()
                        + " failed messages, but its mailbox holds " + want.handled() + " handled and "
                        + want.failed() + " given up on" + (derived.trimmed() ? " (at least)" : ""));
            }
            if (!instance.lastMessage().equals(want.lastMessage())) {
                problems.add(
                        name + "its last message is " + instance.lastMessage().orElse("none")
                                + ", but its mailbox says " + want.lastMessage().orElse("none"));
            }
            long queued = messages.stream()
                    .filter(m -> m.status() == MessageStatus.QUEUED)
                    .count();
            if (queued > 0 && instance.nextDue().isEmpty()) {
                problems.add(name + queued + " queued message(s) but nothing due: they would never be handled");
            }
            if (queued == 0 && instance.nextDue().isPresent()) {
                problems.add(name + "due at " + instance.nextDue().get() + " with an empty mailbox");
            }
            if (queued > 0 && instance.endedAt().isPresent()) {
                problems.add(name + "it ended, yet " + queued + " message(s) are queued for it");
            }
        }
        return problems;
    }

    /** Restores every instance, including missing ones, from its messages; returns how many changed. */
    long rebuild(Tx tx) {
        var store = tx.instances();
        long changed = 0;
        for (var orphan : store.orphans()) {
            var messages = store.messages(orphan.agent(), orphan.subject(), Integer.MAX_VALUE);
            if (messages.isEmpty()) {
                continue; // receipts alone: nothing to restore an instance from
            }
            var initial = sealing.seal(orphan.subject(), Json.object());
            store.restore(derive(Optional.empty(), initial, messages).restored());
            changed++;
        }
        for (var instance : store.instances(Optional.empty())) {
            var messages = store.messages(instance.agent(), instance.subject(), Integer.MAX_VALUE);
            if (messages.isEmpty()) {
                continue;
            }
            var stored = store.state(instance.agent(), instance.subject()).orElseThrow();
            var derived = derive(Optional.of(instance), stored, messages);
            var want = derived.restored();
            boolean same = instance.handled() == want.handled()
                    && instance.failed() == want.failed()
                    && instance.lastMessage().equals(want.lastMessage())
                    && instance.lastAt().equals(want.lastAt())
                    && instance.nextDue().equals(want.nextDue())
                    && (!derived.stateKnown()
                            || sealing.open(instance.subject(), stored)
                                    .equals(sealing.open(instance.subject(), want.state())));
            if (!same) {
                store.restore(want);
                changed++;
            }
        }
        return changed;
    }

    /** What {@code messages} say of their instance, given what is stored of it now. */
    private Derived derive(Optional<Instance> current, InstanceStore.Sealed state, List<Message> messages) {
        var first = messages.getFirst();
        long handled = count(messages, MessageStatus.HANDLED);
        long failed = count(messages, MessageStatus.FAILED) + count(messages, MessageStatus.SKIPPED);
        long history = handled + count(messages, MessageStatus.SKIPPED) + count(messages, MessageStatus.DROPPED);
        boolean trimmed = history >= Mailboxes.KEEP;
        if (trimmed && current.isPresent()) {
            handled = Math.max(handled, current.get().handled());
            failed = Math.max(failed, current.get().failed());
        }
        var last = messages.stream()
                .filter(m -> m.status() == MessageStatus.HANDLED
                        || m.status() == MessageStatus.FAILED
                        || m.status() == MessageStatus.SKIPPED)
                .max(BY_HANDLING);
        var lastHandled = messages.stream()
                .filter(m -> m.status() == MessageStatus.HANDLED)
                .max(BY_HANDLING);
        Optional<InstanceStore.Sealed> derivedState = lastHandled.flatMap(Message::after);
        boolean initial = handled == 0 && !trimmed;
        boolean stateKnown = derivedState.isPresent() || initial;
        var newState = derivedState.orElseGet(() -> initial ? sealing.seal(first.subject(), Json.object()) : state);
        var due = messages.stream()
                .filter(m -> m.status() == MessageStatus.QUEUED)
                .map(Message::dueAt)
                .min(Comparator.naturalOrder());
        // A message waiting for its next attempt makes the instance due later than the message.
        var nextDue = due.isEmpty()
                ? Optional.<Instant>empty()
                : current.flatMap(Instance::nextDue).or(() -> due);
        var lastMessage = last.map(Message::id);
        var lastAt = last.flatMap(Message::handledAt);
        if (last.isEmpty() && trimmed && current.isPresent()) {
            lastMessage = current.get().lastMessage();
            lastAt = current.get().lastAt();
        }
        var createdAt = current.map(Instance::createdAt).orElseGet(() -> messages.stream()
                .map(Message::receivedAt)
                .min(Comparator.naturalOrder())
                .orElseThrow());
        var updatedAt = current.map(Instance::updatedAt).orElse(lastAt.orElse(createdAt));
        return new Derived(
                new Restored(
                        first.agent(),
                        first.subject(),
                        newState,
                        handled,
                        failed,
                        createdAt,
                        updatedAt,
                        lastMessage,
                        lastAt,
                        nextDue),
                stateKnown,
                trimmed);
    }

    private static long count(List<Message> messages, MessageStatus status) {
        return messages.stream().filter(m -> m.status() == status).count();
    }
}
