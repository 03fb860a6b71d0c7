package dev.aios.server.internal.console;

import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.PlaybookInfo;
import dev.aios.kernel.ReplayReport;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Optional;

/** The run list, one run's page, and cancelling and replaying a run. */
final class RunRoutes {
    static final int RUNS_PER_PAGE = 50;
    /** Journal entries shown on a run's page at a time. */
    static final int ENTRIES_PER_PAGE = 500;

    private final Kernel kernel;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;
    private final InstantSource clock;

    RunRoutes(Kernel kernel, Gate gate, Pages pages, Frames frames, InstantSource clock) {
        this.kernel = kernel;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
        this.clock = clock;
    }

    void addTo(RoutesConfig routes) {
        routes.get("/runs", gate.page(Scope.READ, this::runs), dev.aios.server.Access.SELF);
        routes.get(
                "/runs/{id}",
                gate.page(Scope.READ, (ctx, visit) -> run(ctx, visit, Optional.empty())),
                dev.aios.server.Access.SELF);
        routes.post("/runs/{id}/cancel", gate.action(Scope.OPERATE, this::cancel), dev.aios.server.Access.SELF);
        routes.post(
                "/runs/{id}/replay",
                gate.action(
                        Scope.READ,
                        (ctx, visit) -> run(
                                ctx,
                                visit,
                                Optional.of(kernel.replay(ctx.pathParam("id"), "true".equals(ctx.formParam("full")))))),
                dev.aios.server.Access.SELF);
    }

    private void runs(Context ctx, Visit visit) {
        var status = param(ctx, "status");
        var playbook = param(ctx, "playbook");
        var subject = param(ctx, "subject");
        var from = param(ctx, "from");
        var to = param(ctx, "to");
        var query = RunQuery.all().withLimit(RUNS_PER_PAGE);
        if (!status.isEmpty()) {
            query = query.withStatus(RunStatus.fromWire(status));
        }
        if (!playbook.isEmpty()) {
            query = query.withPlaybook(playbook);
        }
        if (!subject.isEmpty()) {
            query = query.withSubject(subject);
        }
        query = query.startedBetween(
                day("from", from).map(d -> d.atStartOfDay().toInstant(ZoneOffset.UTC)),
                day("to", to).map(d -> d.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)));
        var after = param(ctx, "after");
        if (!after.isEmpty()) {
            query = query.after(after);
        }
        var page = kernel.runPage(query);
        var filters = new LinkedHashMap<String, String>();
        filters.put("status", status);
        filters.put("playbook", playbook);
        filters.put("subject", subject);
        filters.put("from", from);
        filters.put("to", to);
        var next = page.next().map(cursor -> "/runs?" + query(filters) + "after=" + cursor);
        var names = kernel.playbooks().stream()
                .map(PlaybookInfo::name)
                .distinct()
                .sorted()
                .toList();
        var statuses = Arrays.stream(RunStatus.values()).map(RunStatus::wire).toList();
        var frame = frames.of(visit, "Runs", "runs").listening("runs");
        pages.render(
                ctx,
                "runs.jte",
                new RunsPage(frame, status, playbook, subject, from, to, page.items(), next, statuses, names));
    }

    private void run(Context ctx, Visit visit, Optional<ReplayReport> replay) {
        var id = ctx.pathParam("id");
        var run = kernel.run(id);
        long after = Math.max(0, number(param(ctx, "after")));
        var entries = kernel.journal(id, after, ENTRIES_PER_PAGE);
        var statuses = new HashMap<String, String>();
        run.steps().forEach(step -> statuses.put(step.id(), step.status().wire()));
        if (run.status() == RunStatus.COMPLETED) {
            statuses.put("end", "completed");
        }
        String graph;
        try {
            graph = StepGraphSvg.draw(
                    kernel.playbookGraph(run.playbook(), run.version()), statuses, Timeline.path(entries));
        } catch (NotFoundException e) {
            graph = "";
        }
        var timeline = entries.stream().map(Timeline::moment).toList();
        Optional<Long> more = entries.size() == ENTRIES_PER_PAGE
                ? Optional.of(entries.getLast().seq())
                : Optional.empty();
        var end = run.status().isFinal() ? run.updatedAt() : clock.instant();
        var frame = frames.of(visit, "Run " + id, "runs").listening("run-" + id);
        pages.render(
                ctx,
                "run.jte",
                new RunPage(
                        frame,
                        run,
                        graph,
                        timeline,
                        more,
                        kernel.verifyChain(id),
                        replay,
                        InboxRoutes.runCost(run).toPlainString(),
                        TaskCards.age(Duration.between(run.createdAt(), end))));
    }

    private void cancel(Context ctx, Visit visit) {
        var id = ctx.pathParam("id");
        var reason = Optional.ofNullable(ctx.formParam("reason")).orElse("").strip();
        kernel.cancel(id, reason);
        visit.flash("Run " + id + " cancelled" + (reason.isEmpty() ? "" : ": " + reason)
                + ". Completed steps that declare an undo are undone first.");
        ctx.redirect("/runs/" + id, HttpStatus.SEE_OTHER);
    }

    private static String query(java.util.Map<String, String> filters) {
        var out = new StringBuilder();
        filters.forEach((name, value) -> {
            if (!value.isEmpty()) {
                out.append(name)
                        .append('=')
                        .append(URLEncoder.encode(value, StandardCharsets.UTF_8))
                        .append('&');
            }
        });
        return out.toString();
    }

    private static String param(Context ctx, String name) {
        var value = ctx.queryParam(name);
        return value == null ? "" : value.strip();
    }

    private static Optional<LocalDate> day(String name, String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value));
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("'" + name + "' must be a day such as 2026-05-01, was '" + value + "'");
        }
    }

    private static long number(String value) {
        if (value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("'after' must be a journal entry number, was '" + value + "'");
        }
    }
}
