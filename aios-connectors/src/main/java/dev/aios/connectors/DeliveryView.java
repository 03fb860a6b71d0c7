package dev.aios.connectors;

import java.time.Instant;
import java.util.Optional;

/**
 * One outgoing webhook delivery as {@code aios deliveries} shows it.
 *
 * @param id the delivery's id, sent as {@code webhook-id}
 * @param subscription the subscription it is for
 * @param type the event type or run/task change ({@code run.completed}, {@code task.opened})
 * @param status where it stands
 * @param attempts how many times it was sent
 * @param rounds how many times it failed for good (each a {@code delivery.failed} event and an inbox
 *     item), counting rounds the operator sent again
 * @param nextAt when it is sent next, while pending
 * @param lastError why the last attempt failed
 * @param updatedAt when it last changed
 */
public record DeliveryView(
        String id,
        String subscription,
        String type,
        DeliveryStatus status,
        int attempts,
        int rounds,
        Optional<Instant> nextAt,
        Optional<String> lastError,
        Instant updatedAt) {}
