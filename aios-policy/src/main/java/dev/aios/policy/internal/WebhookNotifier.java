package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.policy.PolicyException;
import dev.aios.policy.spi.Notification;
import dev.aios.policy.spi.Notifier;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Delivers notifications to webhook channels: a JSON POST ({@code {"title", "key", "body"}}) with
 * an {@code Idempotency-Key} header; any 2xx answer counts as delivered.
 */
public final class WebhookNotifier implements Notifier {
    /** Made on the first notification: building an HTTP client starts its selector thread and takes a while. */
    private HttpClient http;

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        return http;
    }

    @Override
    public String send(Notification notification) {
        if (notification.webhook().isEmpty()) {
            throw new PolicyException("channel '" + notification.channel() + "' is an email channel, and no email"
                    + " agent sends the policy's notifications here (PolicyExtension.Builder.emailThrough); use a"
                    + " webhook channel");
        }
        var payload = JsonNodeFactory.instance
                .objectNode()
                .put("title", notification.title())
                .put("key", notification.key());
        payload.set("body", notification.body());
        var request = HttpRequest.newBuilder(notification.webhook().get())
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", notification.key())
                .POST(HttpRequest.BodyPublishers.ofString(VersionStore.text(payload)))
                .build();
        try {
            var response = http().send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new PolicyException(
                        "webhook of channel '" + notification.channel() + "' answered HTTP " + response.statusCode());
            }
            return "HTTP " + response.statusCode();
        } catch (IOException e) {
            throw new PolicyException(
                    "webhook of channel '" + notification.channel() + "' could not be reached: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PolicyException("interrupted while notifying channel '" + notification.channel() + "'");
        }
    }
}
