package dev.aios.connectors;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A delivery to {@code POST /hooks/{source}}, as received.
 *
 * @param headers the request headers (names are compared without case)
 * @param contentType the media type, e.g. {@code application/json}, or "" when none was sent
 * @param body the raw body, exactly as signed
 */
public record WebhookRequest(Map<String, String> headers, String contentType, byte[] body) {
    public WebhookRequest {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        var lower = new TreeMap<String, String>();
        headers.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value));
        headers = Map.copyOf(lower);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
