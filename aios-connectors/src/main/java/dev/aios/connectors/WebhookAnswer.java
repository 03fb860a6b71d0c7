package dev.aios.connectors;

import dev.aios.kernel.Accepted;
import java.util.Optional;

/** What a webhook delivery came to: an event accepted (or recognized as a redelivery), or a refusal. */
public sealed interface WebhookAnswer {

    /**
     * The delivery became an event.
     *
     * @param source the source it came from
     * @param accepted what the kernel did with it; {@code duplicate} for a redelivery, which starts nothing
     * @param respondWith for a source that answers synchronously, the run whose output answers the request
     */
    record Received(String source, Accepted accepted, Optional<String> respondWith) implements WebhookAnswer {}

    /**
     * The delivery was refused and nothing was recorded.
     *
     * @param status the HTTP status: 404 unknown source, 401 bad or stale signature, 413 too large,
     *     415 unsupported body, 400 unreadable body, 422 a mapping that does not yield an event, 503
     *     a source without its secret
     * @param message what was wrong, for the sender's log
     */
    record Refused(int status, String message) implements WebhookAnswer {}
}
