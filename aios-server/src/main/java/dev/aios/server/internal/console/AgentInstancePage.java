package dev.aios.server.internal.console;

import dev.aios.kernel.AgentInstanceView;

/**
 * One instance of a stateful agent: its state and its recent messages.
 *
 * @param frame the page's frame
 * @param view the instance, its state and newest messages
 * @param state its state as indented JSON
 */
public record AgentInstancePage(Frame frame, AgentInstanceView view, String state) {

    /** A message's body as indented JSON. */
    public static String body(AgentInstanceView.Message message) {
        return TaskCards.pretty(message.body());
    }
}
