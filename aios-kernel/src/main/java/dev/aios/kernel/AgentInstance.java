package dev.aios.kernel;

import java.time.Instant;
import java.util.Optional;

/**
 * A stateful agent's instance for one subject, as {@code aios agents} lists it.
 *
 * @param agent the stateful agent's name
 * @param subject the subject it follows
 * @param mailbox messages waiting to be handled (timers not yet due included)
 * @param handled messages handled so far
 * @param failed messages given up on after their last attempt
 * @param createdAt when its first message arrived
 * @param updatedAt when it last handled or gave up on a message
 * @param lastMessage the id of the message it handled last
 * @param lastAt when it handled that message
 * @param nextDue when its next message is due, while its mailbox holds one
 * @param endedAt when it ended itself ({@code ctx.end()}): it handles no more messages, and its
 *     state and history are kept until the subject is forgotten
 */
public record AgentInstance(
        String agent,
        String subject,
        long mailbox,
        long handled,
        long failed,
        Instant createdAt,
        Instant updatedAt,
        Optional<String> lastMessage,
        Optional<Instant> lastAt,
        Optional<Instant> nextDue,
        Optional<Instant> endedAt) {}
