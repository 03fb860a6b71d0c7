package dev.aios.api;

/**
 * Marks an {@link Agent} or {@link JsonAgent} as stateful: the kernel keeps one durable instance of
 * it per subject, an actor that handles the messages addressed to it one at a time, in the order
 * they arrived, and keeps its state between them.
 *
 * <p>A stateful agent is not called by agent steps. It gets messages: from a playbook's {@code send}
 * step, or from any event whose data names it in {@code to} ({@code "to": "agent/client-account"}),
 * delivered to the instance for the event's subject. For each message the agent runs with the input
 * <pre>{@code {"message": {...}, "state": {...}}}</pre>
 * where {@code message} is what was sent (an event's data without {@code to}) and {@code state} is
 * what the agent returned for the previous message, absent before the first one (so a record agent
 * declares it {@code Optional}). The context's {@link AgentContext#subject()} is the instance's
 * subject and its {@link AgentContext#stepId()} the message's id. Its output is
 * the instance's new state, saved in the same write that marks the message handled; so a message is
 * handled exactly once as far as the state can tell, even if a crash makes the agent run again. The
 * agent can send itself a message later with {@link AgentContext#later}, call stateless agents as
 * tools with {@link AgentContext#call}, and end its instance with {@link AgentContext#end} (its
 * final state is kept; later messages are dropped). A message it fails to handle after its last
 * attempt becomes a task in the operator's inbox, to try again (edited or not) or skip. Forgetting
 * the subject destroys the instance with its state and messages.
 *
 * <p>A prompt agent declared in a playbook becomes stateful with {@code stateful: true}, and ends
 * its instance with {@code end:}, a CEL condition over {@code state} (what it returned for the
 * message) and {@code message} (the message it handled), checked after each message.
 */
public interface Stateful {}
