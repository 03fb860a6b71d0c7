package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Thrown by an agent that cannot finish on its own but can hand the operator a draft: no model is
 * configured, a budget would be exceeded, the input is ambiguous. The step becomes a task holding
 * {@code draft}; the operator edits and approves it (it becomes the step's output, validated
 * against the contract) or rejects it.
 */
public class OperatorNeeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String title;
    private final transient JsonNode draft;

    /**
     * @param title what the operator is asked, e.g. "Write the proposal email to Acme"
     * @param explanation why the agent could not finish, e.g. "no model provider is configured"
     * @param draft the proposed output, which the operator edits
     */
    public OperatorNeeded(String title, String explanation, JsonNode draft) {
        super(Objects.requireNonNull(explanation, "explanation"));
        this.title = Objects.requireNonNull(title, "title");
        this.draft = Objects.requireNonNull(draft, "draft").deepCopy();
    }

    /** What the operator is asked. */
    public String title() {
        return title;
    }

    /** Why the agent could not finish. */
    public String explanation() {
        return getMessage();
    }

    /** The proposed output. */
    public JsonNode draft() {
        return draft.deepCopy();
    }
}
