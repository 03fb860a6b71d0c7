package dev.aios.server.internal.console;

import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Optional;

/** The agents pages: stateful agents with their instances, and one instance's state and messages. */
final class AgentPages {
    /** Messages shown on an instance's page. */
    static final int MESSAGES = 50;

    private final Kernel kernel;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;

    AgentPages(Kernel kernel, Gate gate, Pages pages, Frames frames) {
        this.kernel = kernel;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
    }

    void addTo(RoutesConfig routes) {
        routes.get("/agents", gate.page(Scope.READ, this::agents), dev.aios.server.Access.SELF);
        routes.get("/agents/{name}/{subject}", gate.page(Scope.READ, this::instance), dev.aios.server.Access.SELF);
    }

    private void agents(Context ctx, Visit visit) {
        var all = kernel.agents();
        var stateful = all.stream()
                .filter(AgentInfo::stateful)
                .map(info -> new AgentsPage.Agent(info, kernel.agentInstances(Optional.of(info.name()))))
                .toList();
        var frame = frames.of(visit, "Agents", "agents");
        pages.render(ctx, "agents.jte", new AgentsPage(frame, stateful, all.size() - stateful.size()));
    }

    private void instance(Context ctx, Visit visit) {
        String name = ctx.pathParam("name");
        String subject = ctx.pathParam("subject");
        if (kernel.agents().stream().noneMatch(a -> a.name().equals(name) && a.stateful())) {
            throw new NotFoundException("no stateful agent named " + name + "; the agents page lists them");
        }
        var view = kernel.agentInstance(name, subject, MESSAGES);
        var frame = frames.of(visit, name + " for " + subject, "agents");
        pages.render(ctx, "agent.jte", new AgentInstancePage(frame, view, TaskCards.pretty(view.state())));
    }
}
