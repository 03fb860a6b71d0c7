package dev.aios.server.internal.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskQuery;
import dev.aios.kernel.TaskView;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.math.BigDecimal;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The inbox, one task's page, the edit check, and the answers. */
final class InboxRoutes {
    /** Tasks shown per kind on the inbox; the rest are a click away. */
    static final int PER_GROUP = 20;
    /** Tasks per page when the inbox is narrowed to one kind. */
    static final int PER_PAGE = 50;

    private final Kernel kernel;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;
    private final InstantSource clock;

    InboxRoutes(Kernel kernel, Gate gate, Pages pages, Frames frames, InstantSource clock) {
        this.kernel = kernel;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
        this.clock = clock;
    }

    void addTo(RoutesConfig routes) {
        routes.get(
                "/",
                gate.page(Scope.READ, (ctx, visit) -> {
                    var inbox = inbox(ctx, visit);
                    ctx.attribute(
                            Console.TASKS_SHOWN,
                            inbox.groups().stream()
                                    .flatMap(group -> group.tasks().stream())
                                    .map(card -> card.task().id())
                                    .toList());
                    pages.render(ctx, "inbox.jte", inbox);
                }),
                dev.aios.server.Access.SELF);
        routes.get("/tasks/{id}", gate.page(Scope.READ, this::task), dev.aios.server.Access.SELF);
        routes.post("/tasks/{id}/check", gate.action(Scope.OPERATE, this::check), dev.aios.server.Access.SELF);
        for (var answer : List.of("approve", "reject", "retry", "skip", "compensate", "cancel")) {
            routes.post(
                    "/tasks/{id}/" + answer,
                    gate.action(Scope.OPERATE, (ctx, visit) -> answer(ctx, visit, answer)),
                    dev.aios.server.Access.SELF);
        }
    }

    private InboxPage inbox(Context ctx, Visit visit) {
        var counts = kernel.openTasksByKind();
        long open = counts.values().stream().mapToLong(Long::longValue).sum();
        var frame = frames.of(visit, "Inbox", "inbox", open).listening("tasks");
        var now = clock.instant();
        var kind = Optional.ofNullable(ctx.queryParam("kind")).filter(k -> !k.isBlank());
        if (kind.isPresent()) {
            var query = TaskQuery.open().withKind(kind.get()).withLimit(PER_PAGE);
            var after = ctx.queryParam("after");
            if (after != null && !after.isBlank()) {
                query = query.after(after);
            }
            var page = kernel.taskPage(query);
            var group = new InboxPage.Group(
                    kind.get(),
                    TaskCards.label(kind.get()),
                    TaskCards.hint(kind.get()),
                    counts.getOrDefault(kind.get(), 0L),
                    page.items().stream().map(t -> TaskCards.card(t, now)).toList());
            return new InboxPage(frame, List.of(group), kind, page.next());
        }
        var groups = new ArrayList<InboxPage.Group>();
        counts.keySet().stream().sorted(TaskCards.kindOrder()).forEach(k -> {
            var tasks = kernel.taskPage(TaskQuery.open().withKind(k).withLimit(PER_GROUP))
                    .items();
            groups.add(new InboxPage.Group(
                    k,
                    TaskCards.label(k),
                    TaskCards.hint(k),
                    counts.get(k),
                    tasks.stream().map(t -> TaskCards.card(t, now)).toList()));
        });
        return new InboxPage(frame, groups, Optional.empty(), Optional.empty());
    }

    private void task(Context ctx, Visit visit) {
        var task = kernel.task(ctx.pathParam("id"));
        var draft = TaskCards.pretty(task.proposed());
        render(ctx, visit, task, EditCheck.unchanged(draft), EditCheck.unchanged(""));
    }

    private void render(Context ctx, Visit visit, TaskView task, EditCheck edit, EditCheck skip) {
        var run = kernel.run(task.runId());
        var recalled = new ArrayList<Fact>();
        var models = new ArrayList<Fact>();
        run.steps().stream()
                .filter(step -> step.id().equals(task.stepId()))
                .flatMap(step -> step.provenance().stream())
                .forEach(note -> describe(note, recalled, models));
        var frame = frames.of(visit, task.title(), "inbox").listening("tasks,run-" + task.runId());
        pages.render(
                ctx,
                "task.jte",
                new TaskPage(
                        frame,
                        TaskCards.card(task, clock.instant()),
                        recalled,
                        models,
                        runCost(run).toPlainString(),
                        run.status().wire(),
                        edit,
                        skip));
    }

    /** Memory recalled and model calls, from a step's provenance notes. */
    private static void describe(JsonNode note, List<Fact> recalled, List<Fact> models) {
        var detail = note.path("detail");
        switch (note.path("kind").asText()) {
            case "recall" -> {
                for (var item : detail.path("items")) {
                    recalled.add(new Fact(
                            item.path("id").asText() + "@"
                                    + item.path("version").asText(),
                            String.format(
                                    java.util.Locale.ROOT,
                                    "score %.3f for \"%s\"",
                                    item.path("score").asDouble(),
                                    detail.path("query").asText())));
                }
            }
            case "model" ->
                models.add(new Fact(
                        detail.path("provider").asText() + "/"
                                + detail.path("model").asText(),
                        detail.path("inputTokens").asLong() + " in, "
                                + detail.path("outputTokens").asLong()
                                + " out, $" + detail.path("costUsd").asText("0")
                                + (detail.path("cached").asBoolean() ? " (from the cache)" : "")));
            default -> {}
        }
    }

    /** What the run's model calls cost so far, from its steps' notes. */
    static BigDecimal runCost(RunView run) {
        var total = BigDecimal.ZERO;
        for (var step : run.steps()) {
            for (var note : step.provenance()) {
                if (note.path("kind").asText().equals("model")) {
                    try {
                        total = total.add(new BigDecimal(
                                note.path("detail").path("costUsd").asText("0")));
                    } catch (NumberFormatException e) {
                        // a note without a price counts nothing
                    }
                }
            }
        }
        return total;
    }

    /** The edit check, for htmx as the operator types. */
    private void check(Context ctx, Visit visit) {
        var task = kernel.task(ctx.pathParam("id"));
        var field = ctx.formParam("output") != null ? "output" : "edit";
        var text = Optional.ofNullable(ctx.formParam(field)).orElse("");
        var baseline = field.equals("edit") ? task.proposed() : com.fasterxml.jackson.databind.node.NullNode.instance;
        pages.render(ctx, "check.jte", EditCheck.of(text, baseline, output -> kernel.checkAnswer(task.id(), output)));
    }

    private void answer(Context ctx, Visit visit, String answer) {
        var id = ctx.pathParam("id");
        var task = kernel.task(id);
        var comment = Optional.ofNullable(ctx.formParam("comment")).orElse("").strip();
        var reason = Optional.ofNullable(ctx.formParam("reason")).orElse("").strip();
        String done;
        switch (answer) {
            case "approve" -> {
                var edit = Optional.ofNullable(ctx.formParam("edit")).filter(e -> !e.isBlank());
                Optional<JsonNode> edited = Optional.empty();
                if (edit.isPresent()) {
                    var check = EditCheck.of(edit.get(), task.proposed(), output -> kernel.checkAnswer(id, output));
                    if (!check.ok()) {
                        ctx.status(HttpStatus.BAD_REQUEST);
                        render(ctx, visit, task, check, EditCheck.unchanged(""));
                        return;
                    }
                    // Approving the draft unchanged is a plain approval.
                    edited = check.changes().isEmpty() ? Optional.empty() : check.edited();
                }
                kernel.approve(id, edited, comment);
                done = edited.isPresent() ? "approved with your edit" : "approved";
            }
            case "reject" -> {
                kernel.reject(id, reason.isEmpty() ? comment : reason);
                done = "rejected";
            }
            case "cancel" -> {
                kernel.reject(id, reason.isEmpty() ? "cancelled from the console" : reason);
                done = "answered: its run is cancelled";
            }
            case "retry" -> {
                kernel.retry(id, comment);
                done = "answered: the step is tried again";
            }
            case "compensate" -> {
                kernel.compensate(id, comment);
                done = "answered: the run is being undone";
            }
            case "skip" -> {
                var text =
                        Optional.ofNullable(ctx.formParam("output")).orElse("").strip();
                Optional<JsonNode> output = Optional.empty();
                if (!text.isEmpty() || task.kind() == dev.aios.kernel.TaskKind.DEAD_LETTER) {
                    var check = EditCheck.of(
                            text.isEmpty() ? "" : text,
                            com.fasterxml.jackson.databind.node.NullNode.instance,
                            out -> kernel.checkAnswer(id, out));
                    if (!check.ok()) {
                        ctx.status(HttpStatus.BAD_REQUEST);
                        render(ctx, visit, task, EditCheck.unchanged(TaskCards.pretty(task.proposed())), check);
                        return;
                    }
                    output = check.edited();
                }
                kernel.skip(id, output, comment);
                done = "answered: the step is skipped";
            }
            default -> throw new IllegalStateException("unknown answer " + answer);
        }
        visit.flash("Task \u201c" + task.title() + "\u201d " + done + ".");
        ctx.redirect(next(ctx), HttpStatus.SEE_OTHER);
    }

    /** Where to go after an answer: the page the form names, if it is one of ours, else the inbox. */
    private static String next(Context ctx) {
        var next = ctx.formParam("next");
        return next != null && next.startsWith("/") && !next.startsWith("//") ? next : "/";
    }
}
