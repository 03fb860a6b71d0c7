package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.KnowledgeKind;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Scope;
import dev.aios.kernel.StorageException;
import dev.aios.memory.MemoryExtension;
import dev.aios.server.Access;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.AiosConfig;
import dev.aios.server.internal.Json;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpStatus;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Memory over HTTP: store an item, search, forget a subject, stats, retention and knowledge
 * records. Memory's own errors become problem documents: bad input 400, legal hold 409, a backlog 503.
 */
public final class MemoryRoutes implements ApiServer.Routes {
    private static final Set<String> ITEM_FIELDS =
            Set.of("kind", "subject", "text", "metadata", "importance", "pinned", "id");
    /** The most items one {@code POST /api/memory/batch} takes. */
    public static final int MAX_BATCH = 1000;

    private static final Set<String> RECORD_FIELDS = Set.of("id", "kind", "subject", "content");

    private final Kernel kernel;
    private final MemoryExtension memory;
    private final InstantSource clock;

    public MemoryRoutes(Kernel kernel, MemoryExtension memory, InstantSource clock) {
        this.kernel = kernel;
        this.memory = memory;
        this.clock = clock;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        var read = Access.scope(Scope.READ);
        var ingest = Access.scope(Scope.INGEST);
        var admin = Access.scope(Scope.ADMIN);
        routes.post("/api/memory", guarded(this::remember), ingest);
        routes.post("/api/memory/batch", guarded(this::rememberAll), ingest);
        routes.get("/api/memory/search", guarded(this::search), read);
        routes.delete("/api/memory/subjects/{subject}", guarded(this::forget), admin);
        routes.get("/api/memory/stats", guarded(ctx -> ctx.json(memory.stats())), read);
        routes.post("/api/memory/retention", guarded(this::retain), admin);
        routes.post("/api/memory/reindex", guarded(this::reindex), admin);
        routes.put("/api/memory/knowledge", guarded(this::put), ingest);
        routes.get("/api/memory/knowledge", guarded(this::get), read);
        routes.get("/api/memory/knowledge/history", guarded(this::history), read);
    }

    private void remember(Context ctx) {
        var item = item(RequestBody.of(ctx.bodyAsBytes()));
        ctx.status(HttpStatus.CREATED).json(memory.memory().remember(item));
    }

    /**
     * Stores up to {@value #MAX_BATCH} items in one transaction: {@code {"items": [...]}}, each item
     * as {@code POST /api/memory} takes it. All or nothing: a refused item refuses the batch, and the
     * problem names every refused item by its position.
     */
    private void rememberAll(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("items"));
        var list = body.json("items")
                .filter(JsonNode::isArray)
                .orElseThrow(() -> new InvalidInputException(
                        "field 'items' is required: an array of items as POST /api/memory takes them"));
        if (list.size() > MAX_BATCH) {
            throw new InvalidInputException("a batch holds at most " + MAX_BATCH + " items, this one " + list.size()
                    + "; send it in several; nothing was stored");
        }
        var items = new java.util.ArrayList<Remember>();
        var refused = new java.util.ArrayList<String>();
        for (int i = 0; i < list.size(); i++) {
            try {
                items.add(item(RequestBody.of(list.get(i))));
            } catch (InvalidInputException | IllegalArgumentException e) {
                refused.add("items[" + i + "]: " + e.getMessage());
            }
        }
        if (!refused.isEmpty()) {
            throw new InvalidInputException(refused.size() + " of " + list.size()
                    + " items are refused; nothing was stored: "
                    + String.join("; ", refused.subList(0, Math.min(refused.size(), 20)))
                    + (refused.size() > 20 ? "; and " + (refused.size() - 20) + " more" : ""));
        }
        var result = memory.rememberAll(items);
        var answer = Json.mapper().createObjectNode();
        answer.put("stored", result.stored());
        answer.put("existing", result.existing().size());
        answer.set("items", Json.mapper().valueToTree(result.items()));
        ctx.status(HttpStatus.CREATED).json(answer);
    }

    /** An item as {@code POST /api/memory} takes it. */
    private static Remember item(RequestBody body) {
        body.allowOnly(ITEM_FIELDS);
        var kind = MemoryKind.fromWire(body.text("kind")
                .orElseThrow(() ->
                        new InvalidInputException("field 'kind' is required: note, email," + " document or output")));
        var text = body.text("text").orElseThrow(() -> new InvalidInputException("field 'text' is required"));
        var item = Remember.of(kind, body.text("subject").orElse(""), text)
                .withMetadata(body.object("metadata")
                        .map(m -> (com.fasterxml.jackson.databind.JsonNode) m)
                        .orElseGet(() -> Json.mapper().createObjectNode()));
        var importance = body.json("importance");
        if (importance.isPresent()) {
            if (!importance.get().isNumber()) {
                throw new InvalidInputException("field 'importance' must be a number between 0 and 1");
            }
            item = item.withImportance(importance.get().asDouble());
        }
        var pinned = body.json("pinned");
        if (pinned.isPresent() && !pinned.get().isBoolean()) {
            throw new InvalidInputException("field 'pinned' must be true or false, was "
                    + RequestBody.describe(pinned.get()) + " " + pinned.get() + "; nothing changed");
        }
        item = item.withPinned(pinned.map(JsonNode::booleanValue).orElse(false));
        var id = body.text("id");
        if (id.isPresent()) {
            item = item.withId(id.get());
        }
        return item;
    }

    /** What a search answers: the query, whether it searched by meaning, and the items found. */
    static com.fasterxml.jackson.databind.node.ObjectNode search(MemoryExtension memory, MemoryQuery query) {
        var recall = memory.memory().recall(query);
        var answer = Json.mapper().createObjectNode();
        answer.put("query", query.text());
        answer.put("searchedByMeaning", recall.searchedByMeaning());
        answer.set("items", Json.mapper().valueToTree(recall.items()));
        return answer;
    }

    private void search(Context ctx) {
        var kinds = EnumSet.noneOf(MemoryKind.class);
        for (var value : ctx.queryParams("kind")) {
            Arrays.stream(value.split(","))
                    .filter(k -> !k.isBlank())
                    .map(MemoryKind::fromWire)
                    .forEach(kinds::add);
        }
        int k = param(ctx, "k").map(value -> whole("k", value)).orElse(10);
        var query = new MemoryQuery(
                param(ctx, "q").orElse(""), param(ctx, "subject"), kinds, time(ctx, "from"), time(ctx, "to"), k);
        var answer = search(memory, query);
        if (param(ctx, "explain").map(Boolean::parseBoolean).orElse(false)) {
            answer.set("plan", Json.mapper().valueToTree(memory.plan(query)));
        }
        ctx.json(answer);
    }

    private void forget(Context ctx) {
        var subject = ctx.pathParam("subject");
        if (memory.onHold(subject)) {
            throw new ConflictException("'" + subject + "' is under legal hold (memory.retention.legalHolds in"
                    + " aios.yaml); nothing was forgotten");
        }
        long items = memory.about(subject);
        var report = kernel.forget(subject);
        var answer = Json.mapper().<com.fasterxml.jackson.databind.node.ObjectNode>valueToTree(report);
        answer.put("memoryItems", items);
        ctx.json(answer);
    }

    /** Runs retention now: recorded in the audit log, since it may delete what is past its time. */
    private void retain(Context ctx) {
        var report = memory.retain();
        kernel.audit().append("memory.retention", "memory", Json.mapper().valueToTree(report));
        ctx.json(report);
    }

    /**
     * Rebuilds the index from memory's tables in the background: 202 with the index's state (the
     * rebuild already running, when one is); {@code GET /health} shows how far it got. Recorded in
     * the audit log, since searches are refused until it ends.
     */
    private void reindex(Context ctx) {
        RequestBody.ofOptional(ctx.bodyAsBytes()).allowOnly(Set.of());
        var state = memory.reindex();
        kernel.audit().append("memory.reindex", "memory", index(state));
        ctx.status(HttpStatus.ACCEPTED).json(index(state));
    }

    /** Memory's part of {@code GET /health}: {@code memory.index}, ready or rebuilding and how far. */
    @Override
    public void describeHealth(com.fasterxml.jackson.databind.node.ObjectNode health) {
        health.putObject("memory").set("index", index(memory.indexState()));
    }

    /** The index's state as JSON: {@code {"state": "rebuilding", "done": 41000, "total": 100000, ...}}. */
    static com.fasterxml.jackson.databind.node.ObjectNode index(dev.aios.memory.IndexState state) {
        var json = Json.mapper().createObjectNode().put("state", state.phase().wire());
        if (!state.ready()) {
            json.put("done", state.done()).put("total", state.total()).put("reason", state.reason());
        }
        return json.put("chunks", state.chunks());
    }

    private void put(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(RECORD_FIELDS);
        var id = body.text("id")
                .orElseThrow(() -> new InvalidInputException("field 'id' is required, e.g. customer/acme"));
        var kind = KnowledgeKind.fromWire(body.text("kind")
                .orElseThrow(() -> new InvalidInputException(
                        "field 'kind' is required: customer, template, playbook or preference")));
        var content = body.object("content")
                .orElseThrow(() -> new InvalidInputException("field 'content' is required: a JSON object"));
        ctx.json(memory.memory().put(kind, id, body.text("subject").orElse(""), content));
    }

    private void get(Context ctx) {
        var id = param(ctx, "id").orElseThrow(() -> new InvalidInputException("query parameter 'id' is required"));
        var version = param(ctx, "version").map(v -> whole("version", v));
        var record = version.isPresent()
                ? memory.memory().get(id, version.get())
                : memory.memory().get(id);
        ctx.json(record.orElseThrow(() -> new NotFoundException("no knowledge record " + id
                + version.map(v -> " version " + v).orElse("") + "; see GET /api/memory/search?kind=knowledge")));
    }

    private void history(Context ctx) {
        var id = param(ctx, "id").orElseThrow(() -> new InvalidInputException("query parameter 'id' is required"));
        var history = memory.memory().history(id);
        if (history.isEmpty()) {
            throw new NotFoundException("no knowledge record " + id);
        }
        ctx.json(history);
    }

    /** Translates memory's errors into the API's. */
    private static Handler guarded(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (dev.aios.memory.MemoryConflictException e) {
                throw new dev.aios.kernel.ConflictException(e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException(e.getMessage() + "; nothing changed", e);
            } catch (IllegalStateException e) {
                throw new StorageException(e.getMessage(), e);
            }
        };
    }

    private Optional<Instant> time(Context ctx, String name) {
        return param(ctx, name).map(value -> {
            try {
                return Instant.parse(value.strip());
            } catch (DateTimeParseException notAnInstant) {
                try {
                    return clock.instant().minus(AiosConfig.duration(value));
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("query parameter '" + name
                            + "' must be a time such as 2026-03-01T00:00:00Z or an age such as 7d, was '" + value
                            + "'");
                }
            }
        });
    }

    private static Optional<String> param(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(value -> !value.isBlank());
    }

    private static int whole(String name, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(
                    "query parameter '" + name + "' must be a whole number, was '" + value + "'");
        }
    }
}
