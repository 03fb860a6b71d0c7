package dev.aios.kernel.internal.engine;

import dev.aios.kernel.PlaybookGraph;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import java.util.ArrayList;

/** Draws nothing: lists a compiled playbook's steps and ways, for whoever draws them. */
final class Graphs {
    private Graphs() {}

    static PlaybookGraph of(CompiledPlaybook playbook) {
        var nodes = new ArrayList<PlaybookGraph.Node>();
        var edges = new ArrayList<PlaybookGraph.Edge>();
        for (var id : playbook.stepIds()) {
            var step = playbook.step(id);
            nodes.add(new PlaybookGraph.Node(id, step.kind().wire(), detail(step)));
            switch (step) {
                case CompiledStep.AgentCall a -> edges.add(new PlaybookGraph.Edge(id, a.next(), ""));
                case CompiledStep.Approval a -> {
                    edges.add(new PlaybookGraph.Edge(id, a.next(), ""));
                    a.onReject().ifPresent(to -> edges.add(new PlaybookGraph.Edge(id, to, "on reject")));
                }
                case CompiledStep.Wait w -> edges.add(new PlaybookGraph.Edge(id, w.next(), ""));
                case CompiledStep.Await a -> {
                    edges.add(new PlaybookGraph.Edge(id, a.next(), ""));
                    edges.add(new PlaybookGraph.Edge(id, a.onTimeout(), "on timeout"));
                }
                case CompiledStep.Branch b -> {
                    b.cases()
                            .forEach(c -> edges.add(new PlaybookGraph.Edge(
                                    id, c.target(), "when " + c.when().source())));
                    edges.add(new PlaybookGraph.Edge(id, b.otherwise(), "otherwise"));
                }
                case CompiledStep.Emit e -> edges.add(new PlaybookGraph.Edge(id, e.next(), ""));
                case CompiledStep.Parallel p -> edges.add(new PlaybookGraph.Edge(id, p.next(), ""));
                case CompiledStep.ForEach f -> edges.add(new PlaybookGraph.Edge(id, f.next(), ""));
                case CompiledStep.Call c -> edges.add(new PlaybookGraph.Edge(id, c.next(), ""));
                case CompiledStep.Conversation c -> edges.add(new PlaybookGraph.Edge(id, c.next(), ""));
                case CompiledStep.Send s -> edges.add(new PlaybookGraph.Edge(id, s.next(), ""));
            }
        }
        return new PlaybookGraph(playbook.name(), playbook.version(), nodes, edges);
    }

    private static String detail(CompiledStep step) {
        return switch (step) {
            case CompiledStep.AgentCall a -> a.agent();
            case CompiledStep.Approval a -> a.title();
            case CompiledStep.Wait w -> w.fixed().map(d -> "for " + d).orElse("timer");
            case CompiledStep.Await a -> a.eventType();
            case CompiledStep.Branch b -> b.cases().size() + 1 + " ways";
            case CompiledStep.Emit e -> e.type();
            case CompiledStep.Parallel p -> p.branches().size() + " branches, then join";
            case CompiledStep.ForEach f -> "each item as " + f.as();
            case CompiledStep.Call c -> "playbook " + c.playbook();
            case CompiledStep.Conversation c -> String.join(", ", c.participants());
            case CompiledStep.Send s -> "to " + s.agent();
        };
    }
}
