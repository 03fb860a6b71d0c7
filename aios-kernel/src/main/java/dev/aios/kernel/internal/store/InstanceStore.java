package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.MessageStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The instances of stateful agents, one per (agent, subject), and their mailboxes: messages queued
 * in arrival order, each handled once, the handled ones kept as recent history. State and message
 * bodies are sealed with the subject's key.
 */
public interface InstanceStore {

    /** A payload (a message, a state) as a codec encoded it for its subject. */
    record Sealed(String codec, byte[] bytes) {}

    /**
     * A message for an instance.
     *
     * @param id unique: a message with an id seen before is not delivered again
     * @param sender who sent it ({@code run:ID}, {@code event}, {@code later})
     * @param type what kind of message ({@code agent.message}, an event's type, {@code later})
     * @param dueAt when it may be handled
     */
    record Outgoing(
            String id,
            String agent,
            String subject,
            String sender,
            String type,
            Sealed body,
            Instant receivedAt,
            Instant dueAt) {}

    /**
     * A message as stored.
     *
     * @param after the state its handling left the instance in, once handled
     */
    record Message(
            long seq,
            String id,
            String agent,
            String subject,
            String sender,
            String type,
            Sealed body,
            Instant receivedAt,
            Instant dueAt,
            MessageStatus status,
            int attempts,
            Optional<Instant> handledAt,
            Optional<String> error,
            Optional<Sealed> after) {}

    /**
     * An instance; {@code queued} counts the messages in its mailbox; {@code endedAt} says when it
     * ended itself.
     */
    record Instance(
            String agent,
            String subject,
            long handled,
            long failed,
            long queued,
            Instant createdAt,
            Instant updatedAt,
            Optional<String> lastMessage,
            Optional<Instant> lastAt,
            Optional<Instant> nextDue,
            Optional<Instant> endedAt) {}

    /**
     * What rebuilding sets of an instance: everything about it that follows from its messages.
     *
     * @param state the state its newest handled message left, or its initial state
     */
    record Restored(
            String agent,
            String subject,
            Sealed state,
            long handled,
            long failed,
            Instant createdAt,
            Instant updatedAt,
            Optional<String> lastMessage,
            Optional<Instant> lastAt,
            Optional<Instant> nextDue) {}

    /** An instance with a message due and nobody handling one. */
    record Due(String agent, String subject) {}

    /**
     * Queues {@code message}, creating its instance with {@code initial} state if needed; false if its
     * id was seen before. A message to an instance that ended is kept as {@code dropped}.
     */
    boolean deliver(Outgoing message, Sealed initial, Instant now);

    /** Up to {@code max} instances with a message due at {@code now} and no live lease. */
    List<Due> due(Instant now, int max);

    /** When the next message of an instance not being handled is due. */
    Optional<Instant> nextDue();

    /** Leases the instance to {@code owner} until {@code until}, if nobody holds it; false otherwise. */
    boolean lease(Due instance, String owner, Instant until, Instant now);

    /** Whether {@code owner} still holds the instance. */
    boolean holds(String agent, String subject, String owner);

    /** The first message of the instance's mailbox due at {@code now}. */
    Optional<Message> head(String agent, String subject, Instant now);

    /** The instance's state, if it exists. */
    Optional<Sealed> state(String agent, String subject);

    /**
     * Marks {@code message} handled with the instance's new {@code state} (kept with the message too),
     * frees the lease, and keeps the newest {@code keep} handled messages of the instance. When
     * {@code end}, the instance ends: its queued messages are dropped and it takes no more.
     */
    void handled(Message message, Sealed state, Instant now, int keep, boolean end);

    /** One message, by id. */
    Optional<Message> message(String id);

    /**
     * Puts a message given up on back in its mailbox, at its place in arrival order, with
     * {@code body} instead of its own when present; it no longer counts as failed.
     */
    void requeue(Message message, Optional<Sealed> body, Instant now);

    /** Marks a message given up on as skipped by the operator; it still counts as failed. */
    void skip(Message message, Instant now);

    /** Instances that messages or receipts belong to but that do not exist. */
    List<Due> orphans();

    /** Sets what follows from an instance's messages, creating the instance if it is missing. */
    void restore(Restored instance);

    /**
     * Records a failed attempt at {@code message}: tried again at {@code retryAt} (the mailbox waits
     * for it, so order holds), or, when empty, given up on with {@code error}; frees the lease.
     */
    void failed(Message message, String error, Optional<Instant> retryAt, Instant now);

    /** Frees the lease without handling anything; the instance is due when its first queued message is. */
    void release(String agent, String subject);

    /** Frees every lease (at start-up: no earlier process can still hold one). */
    int releaseAll();

    /** Every instance, of {@code agent} or of all agents, by agent then subject. */
    List<Instance> instances(Optional<String> agent);

    /** One instance. */
    Optional<Instance> instance(String agent, String subject);

    /**
     * The instance's newest {@code limit} messages: those still queued first, then the others by when
     * they were handled, newest first.
     */
    List<Message> messages(String agent, String subject, int limit);

    /** The recorded result of an effect performed while handling a message (plain JSON, as effects' receipts). */
    Optional<JsonNode> receipt(String key);

    /** Records the result of an effect. */
    void receipt(String key, String agent, String subject, JsonNode result, Instant at);

    /** Deletes every instance of {@code subject} with its messages and receipts; returns how many instances. */
    int forget(String subject);
}
