package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.AgentStep;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.policy.spi.Notification;
import dev.aios.policy.spi.Notifier;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Notifications to email channels, sent by an email agent (the connectors' {@code send-email}) in a
 * run of their own: the agent sends once per notification (its key is the event's id, and the
 * agent's effect makes the message), retries as its step does, and without a mail server becomes
 * a task for the operator. Webhook channels are left to the notifier this one wraps.
 */
public final class EmailNotices implements Notifier {
    /** The playbook whose runs send the emails, and the event that starts them. */
    public static final String PLAYBOOK = "aios-policy-email";

    public static final String EVENT = "aios.policy.email";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Notifier others;
    private final ExtensionHost host;

    public EmailNotices(Notifier others, ExtensionHost host) {
        this.others = others;
        this.host = host;
    }

    /** The playbook: one step, {@code agent} with {@code to}, {@code subject} and {@code text}. */
    public static Playbook playbook(String agent) {
        return Playbook.builder(PLAYBOOK)
                .trigger(new Trigger(EVENT, Optional.empty()))
                .step(AgentStep.of("send", agent)
                        .withInput("to", "event.data.to")
                        .withInput("subject", "event.data.subject")
                        .withInput("text", "event.data.text"))
                .build();
    }

    @Override
    public String send(Notification notification) {
        if (notification.webhook().isPresent() || notification.email().isEmpty()) {
            return others.send(notification);
        }
        var to = notification.email().get();
        var data = JSON.objectNode()
                .put("to", to)
                .put("subject", "aios: " + notification.title())
                .put("text", text(notification));
        var accepted = host.send(new Event(
                "email-" + notification.key(),
                EVENT,
                "",
                Anomalies.SOURCE,
                host.clock().instant(),
                data,
                "",
                ""));
        if (accepted.duplicate()) {
            return "email to " + to + " sent before (same notification)";
        }
        return accepted.started().stream()
                .findFirst()
                .map(run -> "email to " + to + " (run " + run + ")")
                .orElseThrow(() -> new dev.aios.policy.PolicyException("the email to " + to
                        + " could not be started: is the playbook " + PLAYBOOK + " refused? See the log"));
    }

    /** The title, then the particulars one per line, then the key, for the operator's mail program. */
    static String text(Notification notification) {
        var text = new StringBuilder(notification.title()).append("\n\n");
        lines(text, "", notification.body());
        return text.append("\n(").append(notification.key()).append(")\n").toString();
    }

    private static void lines(StringBuilder text, String prefix, JsonNode node) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                var field = it.next();
                lines(text, prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue());
            }
        } else if (!node.isMissingNode() && !node.isNull()) {
            text.append(prefix.isEmpty() ? "" : prefix + ": ")
                    .append(node.isValueNode() ? node.asText() : node.toString())
                    .append('\n');
        }
    }
}
