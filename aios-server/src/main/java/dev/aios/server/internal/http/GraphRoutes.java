package dev.aios.server.internal.http;

import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Set;

/**
 * What-if replay and playbook comparison: {@code POST /api/runs/{id}/replay} with a version to
 * replay against, and {@code POST /api/playbooks/diff}.
 */
public final class GraphRoutes implements ApiServer.Routes {
    /** How many finished runs a comparison replays when the request does not say. */
    static final int DEFAULT_LAST = 20;

    private final Kernel kernel;

    public GraphRoutes(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/api/playbooks/diff", this::diff, dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
    }

    /** Whether a replay request asks for a what-if replay rather than a re-fold of the journal. */
    static boolean isWhatIf(Context ctx) {
        return ctx.queryParam("against") != null
                || ctx.body().contains("\"against\"")
                || ctx.body().contains("\"yaml\"");
    }

    /** {@code POST /api/runs/{id}/replay?against=NAME@VERSION}, or a body {@code {against}} or {@code {yaml, origin}}. */
    void whatIf(Context ctx) {
        var body = RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of("against", "yaml", "origin"));
        var run = ctx.pathParam("id");
        var yaml = body.text("yaml");
        if (yaml.isPresent()) {
            ctx.json(kernel.replayAgainstYaml(run, body.text("origin").orElse("request"), yaml.get()));
            return;
        }
        var against = body.text("against").or(() -> java.util.Optional.ofNullable(ctx.queryParam("against")));
        ctx.json(kernel.replay(
                run,
                against.filter(a -> !a.isBlank())
                        .orElseThrow(() -> new InvalidInputException(
                                "say which version to replay against: against=NAME@VERSION, or send the YAML"))));
    }

    private void diff(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("from", "to", "yaml", "origin", "last"));
        var from = body.text("from")
                .orElseThrow(() -> new InvalidInputException(
                        "say which version to compare from: from=NAME (the active version) or NAME@VERSION"));
        int last = body.json("last")
                .map(n -> {
                    if (!n.canConvertToInt()) {
                        throw new InvalidInputException("field 'last' must be a whole number, was " + n);
                    }
                    return n.intValue();
                })
                .orElse(DEFAULT_LAST);
        var yaml = body.text("yaml");
        if (yaml.isPresent()) {
            ctx.json(kernel.diffAgainstYaml(
                    from, body.text("origin").or(() -> body.text("to")).orElse("request"), yaml.get(), last));
            return;
        }
        var to = body.text("to")
                .orElseThrow(() -> new InvalidInputException(
                        "say which version to compare with: to=NAME@VERSION, or send the YAML"));
        ctx.json(kernel.diff(from, to, last));
    }
}
