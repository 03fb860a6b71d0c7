package dev.aios.server.internal.console;

import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.PlaybookGraph;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The playbooks page: versions with their graphs, triggers, agents and runs, and refused files. */
final class PlaybookPages {
    private final Kernel kernel;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;

    PlaybookPages(Kernel kernel, Gate gate, Pages pages, Frames frames) {
        this.kernel = kernel;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
    }

    void addTo(RoutesConfig routes) {
        routes.get(
                "/playbooks",
                gate.page(Scope.READ, (ctx, visit) -> render(ctx, visit, Optional.empty())),
                dev.aios.server.Access.SELF);
        routes.get(
                "/playbooks/{name}",
                gate.page(Scope.READ, (ctx, visit) -> render(ctx, visit, Optional.of(ctx.pathParam("name")))),
                dev.aios.server.Access.SELF);
    }

    private void render(Context ctx, Visit visit, Optional<String> name) {
        var runs = kernel.runsPerVersion();
        var versions = kernel.playbooks().stream()
                .filter(info -> name.isEmpty() || info.name().equals(name.get()))
                .map(info -> {
                    var graph = kernel.playbookGraph(info.name(), info.version());
                    var agents = graph.nodes().stream()
                            .filter(node -> node.kind().equals("agent"))
                            .map(PlaybookGraph.Node::detail)
                            .distinct()
                            .sorted()
                            .toList();
                    return new PlaybooksPage.Version(
                            info,
                            runs.getOrDefault(info.name() + "@" + info.version(), 0L),
                            agents,
                            StepGraphSvg.draw(graph, Map.of(), Set.of()));
                })
                .toList();
        if (name.isPresent() && versions.isEmpty()) {
            throw new NotFoundException("no playbook named " + name.get() + " is loaded");
        }
        var frame = frames.of(visit, name.map(n -> "Playbook " + n).orElse("Playbooks"), "playbooks");
        pages.render(
                ctx,
                "playbooks.jte",
                new PlaybooksPage(frame, name, versions, kernel.lastLoad().refused()));
    }
}
