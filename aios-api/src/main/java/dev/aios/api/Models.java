package dev.aios.api;

/**
 * The model gateway, reached from an agent with {@link AgentContext#model()}. It routes a request
 * for a model class ({@code small}, {@code large} or a named class) to a configured provider model,
 * answers from its cache when it can, checks budgets before it spends, records the prompt and the
 * completion as a receipt of the step (so a step that runs again is not charged again), and enters
 * the cost in the ledger.
 *
 * <p>Every call is an effect of the step named {@code PROVIDER:chat}: an agent that calls it declares
 * its providers among its effects, e.g. {@code withEffects("openai")}.
 *
 * <pre>{@code
 * var reply = context.model().complete(ModelRequest.of("small", "Summarize: " + text));
 * return new Summary(reply.text());
 * }</pre>
 */
public interface Models {

    /** Whether a provider model is configured for {@code modelClass}; without one, {@link #complete} fails. */
    boolean available(String modelClass);

    /**
     * Sends {@code request} to the model of its class, calling the request's tools (other agents) as
     * the model asks, until the model answers.
     *
     * @return the answer; with an output schema, its JSON validated against that schema
     * @throws ModelUnavailable when no provider model is configured for the request's class
     * @throws BudgetExceeded when the call's estimated cost would pass a budget; nothing was sent
     * @throws RuntimeException when the provider fails, hangs or answers badly; the step's retry
     *     policy applies
     */
    ModelReply complete(ModelRequest request);
}
