package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Memory;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's corrections as examples: an edited output is remembered with its input, as a note
 * about the subject with metadata {@code {"about": "correction", "agent", "task", "run", "input",
 * "output", "changes"}}, so that prompt agents recall the most similar ones into their prompts and
 * Java agents can read them through the Memory API. Forgetting the subject forgets them.
 */
public final class Examples {
    private static final Logger LOG = LoggerFactory.getLogger(Examples.class);
    private static final int MAX_TEXT = 4_000;

    /** The metadata value that marks a correction. */
    public static final String ABOUT = "correction";

    private Examples() {}

    /** Remembers {@code answer} as an example when the operator changed the output. */
    public static void remember(Optional<Memory> memory, Observer.Answer answer) {
        if (memory.isEmpty()
                || !answer.outcome().equals("edited")
                || answer.agent().isEmpty()) {
            return;
        }
        var changes = JsonDiff.of(answer.proposed(), answer.output());
        var text = new StringBuilder()
                .append("Correction of ")
                .append(answer.agent())
                .append(" for ")
                .append(answer.subject().isEmpty() ? "run " + answer.runId() : answer.subject())
                .append("\nInput: ")
                .append(VersionStore.text(answer.input()))
                .append("\nThe operator changed:");
        changes.forEach(change -> text.append("\n  ")
                .append(change.path("path").asText())
                .append(": ")
                .append(VersionStore.text(change.path("from")))
                .append(" -> ")
                .append(VersionStore.text(change.path("to"))));
        if (!answer.comment().isBlank()) {
            text.append("\nWhy: ").append(answer.comment());
        }
        var metadata = JsonNodeFactory.instance
                .objectNode()
                .put("about", ABOUT)
                .put("agent", answer.agent())
                .put("task", answer.taskId())
                .put("run", answer.runId())
                .put("step", answer.step());
        metadata.set("input", answer.input());
        metadata.set("output", answer.output());
        metadata.set("changes", changes);
        var body = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text.toString();
        try {
            memory.get()
                    .remember(Remember.of(MemoryKind.NOTE, answer.subject(), body)
                            .withMetadata(metadata)
                            .withImportance(0.8)
                            .withId("correction/" + answer.taskId()));
        } catch (RuntimeException e) {
            LOG.warn("the correction in task {} could not be kept as an example: {}", answer.taskId(), e.getMessage());
        }
    }
}
