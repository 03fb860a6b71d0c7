package dev.aios.kernel;

import java.util.List;

/**
 * A playbook version's steps and where each can lead, for drawing.
 *
 * @param name the playbook
 * @param version its version
 * @param nodes the steps in the order written (the first is where runs start)
 * @param edges where each step can go; a target of {@code end} ends the run
 */
public record PlaybookGraph(String name, String version, List<Node> nodes, List<Edge> edges) {
    public PlaybookGraph {
        nodes = List.copyOf(nodes);
        edges = List.copyOf(edges);
    }

    /**
     * A step.
     *
     * @param id the step's id
     * @param kind agent, approval, wait, await, branch or emit
     * @param detail what it does in a few words: the agent, the event awaited or emitted
     */
    public record Node(String id, String kind, String detail) {}

    /**
     * A way from one step to another.
     *
     * @param from the step
     * @param to the step it leads to, or {@code end}
     * @param label when this way is taken: "" for the normal way, else e.g. {@code on timeout}
     */
    public record Edge(String from, String to, String label) {}
}
