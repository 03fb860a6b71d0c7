package dev.aios.models.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Screens every prompt before it leaves for a model provider: the central policy's privacy rules
 * replace personal data by placeholders (restored in the answer) or withhold the prompt from a
 * provider that is not local. Consulted for each call, so a policy change applies to the next one.
 */
@FunctionalInterface
public interface PromptGuard {

    /** What is about to be sent. */
    Guarded guard(Prompt prompt);

    /** Lets every prompt through unchanged. */
    PromptGuard NONE = prompt -> Guarded.unchanged(prompt.texts());

    /**
     * A prompt about to leave.
     *
     * @param subject the run's subject ("" for none)
     * @param agent the agent making the call
     * @param input the step's input, when a prompt agent makes the call; an empty object otherwise
     * @param provider the provider's name
     * @param local whether the provider is marked {@code local: true}
     * @param texts the texts of the messages, in order
     */
    record Prompt(String subject, String agent, JsonNode input, String provider, boolean local, List<String> texts) {
        public Prompt {
            texts = List.copyOf(texts);
        }
    }

    /**
     * What may be sent.
     *
     * @param texts the texts to send instead, one per message
     * @param restoreText puts the originals back into a text answer
     * @param restoreJson puts the originals back into a JSON answer, escaped as string content
     * @param redacted for the call's receipt: what was replaced (placeholder and kind, never the value)
     * @param refusal set when the prompt must not go to this provider at all, saying what to do
     */
    record Guarded(
            List<String> texts,
            UnaryOperator<String> restoreText,
            UnaryOperator<String> restoreJson,
            List<JsonNode> redacted,
            Optional<String> refusal) {
        public Guarded {
            texts = List.copyOf(texts);
            redacted = List.copyOf(redacted);
            Objects.requireNonNull(restoreText, "restoreText");
            Objects.requireNonNull(restoreJson, "restoreJson");
            Objects.requireNonNull(refusal, "refusal");
        }

        /** Nothing changed. */
        public static Guarded unchanged(List<String> texts) {
            return new Guarded(texts, UnaryOperator.identity(), UnaryOperator.identity(), List.of(), Optional.empty());
        }
    }
}
