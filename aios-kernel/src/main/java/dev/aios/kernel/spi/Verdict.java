package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What the policy says about an agent's output.
 *
 * @param decision commit it, hold it for the operator, or block it
 * @param rule the rule that decided, as the task shows it (e.g. {@code gate review-proposals}); ""
 *     when no rule applied
 * @param explanation why, in the operator's words
 * @param seen what the step's provenance records as a {@code policy} note
 */
public record Verdict(Decision decision, String rule, String explanation, JsonNode seen) {

    /** How strict a verdict is, from least to most. */
    public enum Decision {
        /** The output commits (as far as the policy is concerned). */
        AUTO,
        /** The output waits for the operator's approval. */
        APPROVE,
        /**
         * The output must not commit as it is: the operator can only edit it into an acceptable
         * one, or reject it.
         */
        BLOCK
    }

    public Verdict {
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(explanation, "explanation");
        Objects.requireNonNull(seen, "seen");
    }
}
