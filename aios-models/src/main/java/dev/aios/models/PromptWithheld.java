package dev.aios.models;

import dev.aios.api.ModelUnavailable;

/**
 * A prompt the privacy rules keep from the provider its model class routes to (the subject's
 * prompts go only to local models). A prompt agent hands the step to the operator with its draft
 * instead; the message says how to route the class to a local provider.
 */
public final class PromptWithheld extends ModelUnavailable {
    private static final long serialVersionUID = 1L;

    public PromptWithheld(String message) {
        super(message);
    }
}
