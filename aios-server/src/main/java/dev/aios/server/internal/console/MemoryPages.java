package dev.aios.server.internal.console;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import dev.aios.memory.MemoryExtension;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;

/** The memory page: search with score explanations, subjects, pins, and forgetting a subject. */
final class MemoryPages {
    static final int RESULTS = 20;
    static final int SUBJECTS = 100;

    private final Kernel kernel;
    private final MemoryExtension memory;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;

    MemoryPages(Kernel kernel, MemoryExtension memory, Gate gate, Pages pages, Frames frames) {
        this.kernel = kernel;
        this.memory = memory;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
    }

    void addTo(RoutesConfig routes) {
        routes.get("/memory", gate.page(Scope.READ, this::search), dev.aios.server.Access.SELF);
        routes.post(
                "/memory/items/{id}/pin",
                gate.action(Scope.OPERATE, (ctx, visit) -> pin(ctx, visit, true)),
                dev.aios.server.Access.SELF);
        routes.post(
                "/memory/items/{id}/unpin",
                gate.action(Scope.OPERATE, (ctx, visit) -> pin(ctx, visit, false)),
                dev.aios.server.Access.SELF);
        routes.post("/memory/forget", gate.action(Scope.ADMIN, this::forget), dev.aios.server.Access.SELF);
    }

    private void search(Context ctx, Visit visit) {
        var q = param(ctx, "q");
        var subject = param(ctx, "subject");
        var kind = param(ctx, "kind");
        boolean searched = ctx.queryParam("q") != null || !subject.isEmpty() || !kind.isEmpty();
        var hits = new java.util.ArrayList<MemoryPage.Hit>();
        boolean byMeaning = false;
        if (searched) {
            var kinds = kind.isEmpty() ? EnumSet.noneOf(MemoryKind.class) : EnumSet.of(parseKind(kind));
            var query = new MemoryQuery(
                    q,
                    subject.isEmpty() ? Optional.empty() : Optional.of(subject),
                    kinds,
                    Optional.empty(),
                    Optional.empty(),
                    RESULTS);
            var recall = guarded(() -> memory.memory().recall(query));
            byMeaning = recall.searchedByMeaning();
            var pinned =
                    memory.pinned(recall.items().stream().map(MemoryHit::id).toList());
            recall.items().forEach(hit -> hits.add(new MemoryPage.Hit(hit, pinned.contains(hit.id()))));
        }
        var kinds = Arrays.stream(MemoryKind.values()).map(MemoryKind::wire).toList();
        var frame = frames.of(visit, "Memory", "memory");
        pages.render(
                ctx,
                "memory.jte",
                new MemoryPage(
                        frame,
                        q,
                        subject,
                        kind,
                        searched,
                        byMeaning,
                        hits,
                        memory.subjects(SUBJECTS),
                        memory.stats(),
                        kinds));
    }

    private void pin(Context ctx, Visit visit, boolean pinned) {
        var id = ctx.pathParam("id");
        if (!memory.pin(id, pinned)) {
            throw new NotFoundException("no memory item " + id);
        }
        visit.flash("Memory item " + id + (pinned ? " pinned: retention keeps it." : " unpinned."));
        ctx.redirect(back(ctx), HttpStatus.SEE_OTHER);
    }

    private void forget(Context ctx, Visit visit) {
        var subject = Optional.ofNullable(ctx.formParam("subject")).orElse("").strip();
        var confirm = Optional.ofNullable(ctx.formParam("confirm")).orElse("").strip();
        if (subject.isEmpty()) {
            throw new InvalidInputException("name the subject to forget; nothing was forgotten");
        }
        if (!confirm.equals(subject)) {
            throw new InvalidInputException("to forget '" + subject + "', type its name again exactly in the"
                    + " confirmation box; nothing was forgotten");
        }
        if (memory.onHold(subject)) {
            throw new ConflictException("'" + subject + "' is under legal hold (memory.retention.legalHolds in"
                    + " aios.yaml); nothing was forgotten");
        }
        long items = memory.about(subject);
        var report = kernel.forget(subject);
        visit.flash("Forgot " + subject + ": " + items + " memory items, " + report.eventsUnreadable()
                + " events made unreadable, " + report.runsCancelled() + " runs cancelled, " + report.runsScrubbed()
                + " runs emptied of its data.");
        ctx.redirect("/memory", HttpStatus.SEE_OTHER);
    }

    private static String back(Context ctx) {
        var next = ctx.formParam("next");
        return next != null && next.startsWith("/memory") ? next : "/memory";
    }

    /** Memory's own refusals, as the API translates them: bad input 400, a busy store 503. */
    private static <T> T guarded(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new dev.aios.kernel.StorageException(e.getMessage(), e);
        }
    }

    private static MemoryKind parseKind(String kind) {
        try {
            return MemoryKind.fromWire(kind);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    private static String param(Context ctx, String name) {
        var value = ctx.queryParam(name);
        return value == null ? "" : value.strip();
    }

    /** The memory page's address with this search. */
    static String searchPath(String q, String subject, String kind) {
        return "/memory?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8) + "&subject="
                + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "&kind=" + kind;
    }
}
