package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.AgentContext;
import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.Event;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.PermanentFailure;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.kernel.MessageStatus;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.InstanceStore.Message;
import dev.aios.kernel.internal.store.Store;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Messages to stateful agents given up on, in the operator's inbox: the message's last failure logs
 * an {@value #EVENT} event in the same write, which starts the playbook {@value #PLAYBOOK}; its
 * approval step shows the agent, subject, message and error, and the operator approves to try the
 * message again (with an edited message: approve with an edit), or rejects to skip it. The agent
 * {@value #AGENT} does what was chosen: a message tried again goes back to its place in the mailbox
 * (before those that arrived after it and still wait) and is handled with the instance's state as it
 * is then; a message that fails again comes back as a new item.
 */
final class MailboxDeadLetters {
    /** The playbook that asks the operator. */
    static final String PLAYBOOK = "aios-mailbox-failed";
    /** The event that starts it. */
    static final String EVENT = "aios.mailbox.failed";
    /** The agent that tries the message again or skips it. */
    static final String AGENT = "aios-mailbox-decide";

    private final Store db;
    private final Sealing sealing;
    private final InstantSource clock;
    private final Runnable wake;

    MailboxDeadLetters(Store db, Sealing sealing, InstantSource clock, Runnable wake) {
        this.db = db;
        this.sealing = sealing;
        this.clock = clock;
        this.wake = wake;
    }

    /** The playbook: an approval showing the failed message, then the agent doing what was chosen. */
    static Playbook playbook() {
        return Playbook.builder(PLAYBOOK)
                .description("Asks the operator whether to try again (as it is or edited) or skip a message"
                        + " that a stateful agent failed to handle.")
                .trigger(Trigger.on(EVENT))
                .step(ApprovalStep.of(
                                "decide",
                                "A stateful agent could not handle a message: approve to try it again"
                                        + " (approve with an edit to try a corrected message), reject to skip it")
                        .withShow("agent", "event.data.agent")
                        .withShow("subject", "event.subject")
                        .withShow("message", "event.data.message")
                        .withShow("type", "event.data.type")
                        .withShow("body", "event.data.body")
                        .withShow("attempts", "event.data.attempts")
                        .withShow("error", "event.data.error")
                        .withNext("apply")
                        .withOnReject("apply"))
                .step(AgentStep.of("apply", AGENT)
                        .withInput("message", "event.data.message")
                        .withInput("decision", "steps.decide"))
                .build();
    }

    /** The event that puts {@code message}, given up on, in the operator's inbox. */
    Event event(Message message, String error, int attempts, Instant now) {
        ObjectNode data = Json.object();
        data.put("agent", message.agent());
        data.put("message", message.id());
        data.put("type", message.type());
        data.put("sender", message.sender());
        data.set("body", sealing.open(message.subject(), message.body()));
        data.put("attempts", attempts);
        data.put("error", error);
        return new Event(
                "mailbox-failed:" + message.id() + ":" + now.toEpochMilli(),
                EVENT,
                message.subject(),
                "aios-mailbox",
                now,
                data,
                "",
                "");
    }

    /** {@value #AGENT}: tries the message again (its body edited if the approval carries an edit) or skips it. */
    JsonAgent agent() {
        var contract = new JsonContract(
                AGENT,
                "1.0.0",
                "Tries a message a stateful agent failed to handle again, or skips it.",
                Json.tree("""
                        {"type": "object",
                         "properties": {"message": {"type": "string", "minLength": 1},
                                        "decision": {"type": "object"}},
                         "required": ["message", "decision"]}
                        """),
                Json.tree("""
                        {"type": "object",
                         "properties": {"message": {"type": "string"}, "status": {"type": "string"},
                                        "changed": {"type": "boolean"}},
                         "required": ["message", "status", "changed"]}
                        """),
                List.of(),
                Set.of(),
                Duration.ofSeconds(30));
        return new JsonAgent() {
            @Override
            public JsonContract contract() {
                return contract;
            }

            @Override
            public JsonNode run(JsonNode input, AgentContext context) {
                var decision = input.path("decision");
                var edit = decision.path("edit");
                if (!edit.isMissingNode() && !edit.isObject()) {
                    throw new PermanentFailure("an edited message is a JSON object, e.g. {\"text\": \"...\"}");
                }
                return decide(
                        input.path("message").asText(),
                        decision.path("approved").asBoolean(false),
                        edit.isObject() ? Optional.of(edit) : Optional.empty());
            }
        };
    }

    /**
     * Puts the message back in its mailbox ({@code again}, with {@code edit} as its body when
     * present) or marks it skipped. A message no longer failed (decided before: the step ran again
     * after a crash) is left as it is.
     */
    private JsonNode decide(String id, boolean again, Optional<JsonNode> edit) {
        return db.write(tx -> {
            var store = tx.instances();
            var message = store.message(id)
                    .orElseThrow(() -> new PermanentFailure("there is no message '" + id
                            + "' (any more): its subject was forgotten; aios agents lists the instances"));
            boolean changed = message.status() == MessageStatus.FAILED;
            if (changed && again) {
                var instance = store.instance(message.agent(), message.subject());
                if (instance.flatMap(i -> i.endedAt()).isPresent()) {
                    throw new PermanentFailure("the instance of agent '" + message.agent() + "' for '"
                            + message.subject() + "' has ended, so it handles no more messages; skip this one"
                            + " (reject the task), or forget the subject to start the instance anew");
                }
                store.requeue(message, edit.map(body -> sealing.seal(message.subject(), body)), clock.instant());
                tx.afterCommit(wake);
            } else if (changed) {
                store.skip(message, clock.instant());
            }
            ObjectNode output = Json.object();
            output.put("message", id);
            output.put("status", store.message(id).map(m -> m.status().wire()).orElse("gone"));
            output.put("changed", changed);
            return output;
        });
    }
}
