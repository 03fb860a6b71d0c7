package dev.aios.policy.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A notification to deliver: a reminder of an open task, a delegation, an alert.
 *
 * @param channel the channel's name in the policy's {@code notify:} section
 * @param webhook the channel's webhook URL, for a webhook channel
 * @param email the channel's address, for an email channel
 * @param key the same for every attempt to deliver this notification: pass it on so the receiver can
 *     drop repeats
 * @param title one line saying what it is about
 * @param body the particulars, as JSON
 */
public record Notification(
        String channel, Optional<URI> webhook, Optional<String> email, String key, String title, JsonNode body) {
    public Notification {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(webhook, "webhook");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(body, "body");
    }
}
