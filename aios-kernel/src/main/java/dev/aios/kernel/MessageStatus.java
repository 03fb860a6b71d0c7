package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.aios.kernel.internal.Wire;

/** Where a message to a stateful agent's instance stands. */
public enum MessageStatus {
    /** In the mailbox: waiting for its turn, or for its time (a message sent later). */
    QUEUED,
    /** Handled: the instance's state includes it. */
    HANDLED,
    /** Given up on after its last attempt; the mailbox went on without it. */
    FAILED,
    /** Given up on, and then skipped by the operator: the instance's state does not include it. */
    SKIPPED,
    /** Not handled: the instance had ended itself when the message was due. */
    DROPPED;

    /** The name stored and sent, e.g. {@code queued}. */
    @JsonValue
    public String wire() {
        return Wire.name(this);
    }

    /** The wire name, so that the value prints as it is stored and sent. */
    @Override
    public String toString() {
        return wire();
    }

    /** Parses a wire name. */
    @JsonCreator
    public static MessageStatus fromWire(String wire) {
        return Wire.parse(MessageStatus.class, wire, "message status");
    }
}
