package dev.aios.models.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.ModelRequest;
import dev.aios.kernel.spi.StepScope;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.PromptWithheld;
import dev.aios.models.spi.PromptGuard;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One model call of a step, made as the step's effect {@code PROVIDER:chat}: the kernel applies the
 * provider's circuit breaker and rate limit, records the receipt (prompt, answer, usage, cost, cache
 * hit) in the journal, and hands the receipt back instead of calling again when the step runs again.
 *
 * <p>Before the effect, the budgets are checked against the estimated cost (unless the cache holds
 * the answer or an earlier attempt already made this call): a call over a limit is not made. Inside
 * it, an answer that does not match the output schema gets one repair request; a second bad answer
 * fails the call, so no receipt keeps it and a retry asks again.
 */
final class Exchange {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ModelGateway gateway;
    private final StepScope scope;
    private final int callNo;
    private final Route route;
    private final ModelRequest request;
    private final ArrayNode messages;
    private final ObjectNode sent;
    private final PromptGuard.Guarded guarded;
    private JsonNode raw = JSON.missingNode();
    /** The estimate held for this call while it is in flight; null once settled or when none is needed. */
    private Holds.Hold hold;
    /** What an answered call leaves to write with its receipt; null once written or when nothing is. */
    private Costs costs;
    /** Whether the receipt's transaction settled the hold (set while it runs; counts once it commits). */
    private boolean settled;

    /** An answered call's charges and the answer to cache, entered with the call's receipt. */
    private record Costs(List<Ledger.Charge> charges, Optional<String> cacheKey, JsonNode completion) {}

    Exchange(
            ModelGateway gateway,
            StepScope scope,
            int callNo,
            Route route,
            ModelRequest request,
            ArrayNode messages,
            JsonNode input) {
        this.gateway = gateway;
        this.scope = scope;
        this.callNo = callNo;
        this.route = route;
        this.request = request;
        this.messages = messages.deepCopy();
        // The privacy rules see every text before anything is sent, cached or kept in the receipt.
        var texts = new ArrayList<String>();
        this.messages.forEach(m -> texts.add(m.path("text").asText("")));
        this.guarded = gateway.guard
                .get()
                .guard(new PromptGuard.Prompt(
                        scope.context().subject(),
                        scope.agent(),
                        input,
                        route.provider(),
                        gateway.local(route.provider()),
                        texts));
        if (guarded.refusal().isPresent()) {
            throw new PromptWithheld(guarded.refusal().get());
        }
        for (int i = 0; i < this.messages.size() && i < guarded.texts().size(); i++) {
            ((ObjectNode) this.messages.get(i)).put("text", guarded.texts().get(i));
        }
        this.sent = JSON.objectNode();
        sent.set("messages", this.messages);
        request.outputSchema().ifPresent(schema -> sent.set("schema", schema));
        if (!request.tools().isEmpty()) {
            ArrayNode tools = sent.putArray("tools");
            request.tools().forEach(tool -> tools.addObject()
                    .put("name", tool.agent())
                    .put("description", tool.description())
                    .set("input", tool.inputSchema()));
        }
        sent.put("maxOutputTokens", request.maxOutputTokens());
    }

    /**
     * Makes the call (or takes its recorded receipt) and returns the receipt, in a span {@code chat
     * MODEL} with the {@code gen_ai.*} attributes of OpenTelemetry's semantic conventions (never the
     * prompt or the answer: traces leave the machine).
     */
    JsonNode run() {
        var span = gateway.host
                .tracer()
                .spanBuilder("chat " + route.model())
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute("gen_ai.operation.name", "chat")
                .setAttribute("gen_ai.provider.name", route.provider())
                .setAttribute("gen_ai.request.model", route.model())
                .setAttribute("gen_ai.request.max_tokens", request.maxOutputTokens())
                .setAttribute("aios.model.class", request.modelClass())
                .startSpan();
        try (var ignored = span.makeCurrent()) {
            var receipt = call();
            span.setAttribute("gen_ai.response.model", receipt.path("model").asText(route.model()));
            span.setAttribute(
                    "gen_ai.usage.input_tokens",
                    receipt.path("usage").path("inputTokens").asLong());
            span.setAttribute(
                    "gen_ai.usage.output_tokens",
                    receipt.path("usage").path("outputTokens").asLong());
            span.setAttribute("aios.model.cached", receipt.path("cached").asBoolean());
            span.setAttribute("aios.model.cost_usd", receipt.path("costUsd").asDouble());
            return receipt;
        } catch (RuntimeException e) {
            span.setAttribute("error.type", e.getClass().getName());
            span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
            throw e;
        } finally {
            span.end();
        }
    }

    private JsonNode call() {
        var ctx = scope.context();
        Optional<String> cacheKey = request.cacheable() && gateway.cache.enabled()
                ? Optional.of(ResponseCache.key(route.provider(), route.model(), sent))
                : Optional.empty();
        Optional<ObjectNode> hit = cacheKey.flatMap(gateway.cache::find);
        if (hit.isEmpty() && !gateway.ledger.answered(ctx.idempotencyKey(), callNo)) {
            var account = new Spending.Account(
                    ctx.runId(),
                    scope.agent(),
                    Ledger.day(gateway.clock.instant()),
                    ctx.subject(),
                    ctx.playbook().name(),
                    route.provider());
            hold = gateway.spending.reserve(account, estimateNanos(), holdFor());
        }
        try {
            // The call's costs and cached answer are entered in the transaction of its receipt: one commit.
            var receipt = scope.effect(
                    route.provider() + ":chat", JsonNode.class, key -> perform(cacheKey, hit), h -> settled = enter(h));
            costs = null;
            if (settled) {
                hold = null;
            }
            return receipt;
        } catch (Exception e) {
            if (costs != null) {
                // The receipt's transaction failed after the provider answered: the call cost what it cost.
                try {
                    record(costs);
                } catch (RuntimeException again) {
                    e.addSuppressed(again);
                }
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            if (hold != null) {
                hold.close();
                hold = null;
            }
        }
    }

    /**
     * How long the estimate is held at most: longer than the call and its repair request can take,
     * so that only the hold of a node that died with the call in flight runs out.
     */
    private java.time.Duration holdFor() {
        var provider = gateway.settings.providers().get(route.provider());
        var timeout = provider == null ? java.time.Duration.ofMinutes(1) : provider.timeout();
        return timeout.multipliedBy(2).plus(java.time.Duration.ofMinutes(2));
    }

    /** A generous estimate: about four characters a token in, the whole answer length out. */
    private long estimateNanos() {
        long inputTokens = sent.toString().length() / 4 + 16;
        return gateway.prices.nanos(route.model(), inputTokens, request.maxOutputTokens());
    }

    private JsonNode perform(Optional<String> cacheKey, Optional<ObjectNode> hit) {
        ObjectNode receipt = JSON.objectNode();
        receipt.put("provider", route.provider());
        receipt.put("model", route.model());
        receipt.put("class", request.modelClass());
        receipt.set("request", sent);
        if (!guarded.redacted().isEmpty()) {
            var redacted = receipt.putArray("redacted");
            guarded.redacted().forEach(redacted::add);
        }
        var charges = new ArrayList<Ledger.Charge>();
        boolean answered = false;
        try {
            ObjectNode completion;
            if (hit.isPresent()) {
                completion = hit.get();
                charges.add(charge(0, 0, true, "answered"));
                receipt.put("cached", true);
            } else {
                long started = System.nanoTime();
                completion = answer(messages, receipt, charges);
                long nanos = System.nanoTime() - started;
                receipt.put("cached", false);
                receipt.put("latencyMs", nanos / 1_000_000);
                io.micrometer.core.instrument.Timer.builder("aios.model.request")
                        .description("Requests to a model provider that answered (a repair request included)")
                        .tags("provider", route.provider(), "model", route.model())
                        .register(gateway.host.meters())
                        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
            raw = completion;
            receipt.set("completion", restored(completion));
            long in = charges.stream().mapToLong(Ledger.Charge::inputTokens).sum();
            long out = charges.stream().mapToLong(Ledger.Charge::outputTokens).sum();
            receipt.putObject("usage").put("inputTokens", in).put("outputTokens", out);
            receipt.put(
                    "costUsd",
                    PriceTable.usd(charges.stream()
                                    .mapToLong(Ledger.Charge::costNanos)
                                    .sum())
                            .toPlainString());
            answered = true;
            return receipt;
        } finally {
            // The cache keeps the answer as the provider gave it: its placeholders fit only this prompt.
            var spent = new Costs(List.copyOf(charges), answered && hit.isEmpty() ? cacheKey : Optional.empty(), raw);
            spent.charges().forEach(this::count);
            if (answered) {
                costs = spent; // entered with the receipt
            } else {
                record(spent); // no receipt keeps a failed call; what it cost is entered now
            }
        }
    }

    /** The answer with the redacted values put back, for the step. */
    private JsonNode restored(ObjectNode completion) {
        if (guarded.redacted().isEmpty()) {
            return completion;
        }
        var out = completion.deepCopy();
        var restore = request.outputSchema().isPresent() ? guarded.restoreJson() : guarded.restoreText();
        if (out.path("text").isTextual()) {
            out.put("text", restore.apply(out.path("text").asText()));
        }
        for (var call : out.path("toolCalls")) {
            if (call instanceof ObjectNode c && c.path("arguments").isTextual()) {
                c.put(
                        "arguments",
                        guarded.restoreJson().apply(c.path("arguments").asText()));
            }
        }
        return out;
    }

    /** Enters the call's costs in a transaction of their own (a call that failed, or a receipt that did not land). */
    private void record(Costs spent) {
        if (spent.charges().isEmpty() && !keeps(spent)) {
            return;
        }
        costs = spent;
        if (gateway.host.storage().write(this::enter)) {
            hold = null;
        }
        costs = null;
    }

    /**
     * Enters the charges in the ledger, keeps a good answer in the cache and settles the call's hold, in
     * the transaction {@code h}: the cost replaces the estimate there, so no moment counts both or neither.
     */
    private boolean enter(dev.aios.kernel.spi.Handle h) {
        var spent = costs;
        if (spent == null) {
            return false;
        }
        Ledger.insert(h, spent.charges());
        if (keeps(spent)) {
            gateway.cache.put(h, spent.cacheKey().get(), scope.context().subject(), (ObjectNode) spent.completion());
        }
        return hold != null && hold.settle(h);
    }

    private static boolean keeps(Costs spent) {
        return spent.cacheKey().isPresent() && spent.completion() instanceof ObjectNode;
    }

    /** Counts a call in the metrics: calls, tokens and cost by provider and model; cache hits. */
    private void count(Ledger.Charge charge) {
        var meters = gateway.host.meters();
        var where = io.micrometer.core.instrument.Tags.of("provider", charge.provider(), "model", charge.model());
        io.micrometer.core.instrument.Counter.builder("aios.model.calls")
                .description("Model calls by provider, model, outcome (answered, invalid) and whether the cache"
                        + " answered")
                .tags(where)
                .tags("outcome", charge.outcome(), "cached", Boolean.toString(charge.cached()))
                .register(meters)
                .increment();
        for (var type : new String[] {"input", "output"}) {
            io.micrometer.core.instrument.Counter.builder("aios.model.tokens")
                    .description("Tokens sent to (input) and received from (output) model providers")
                    .tags(where)
                    .tag("type", type)
                    .register(meters)
                    .increment(type.equals("input") ? charge.inputTokens() : charge.outputTokens());
        }
        io.micrometer.core.instrument.Counter.builder("aios.model.cost.usd")
                .description("What model calls cost, in US dollars, from the price table")
                .tags(where)
                .register(meters)
                .increment(charge.costNanos() / 1e9);
    }

    /** Asks the provider; with a schema, checks the answer and asks once more to repair it. */
    private ObjectNode answer(ArrayNode conversation, ObjectNode receipt, List<Ledger.Charge> charges) {
        var first = send(conversation);
        var schema = request.outputSchema();
        if (schema.isEmpty() || !first.path("toolCalls").isEmpty()) {
            charges.add(charge(first, "answered"));
            return first;
        }
        var check = new SchemaCheck(schema.get());
        var problems = check.problems(first.path("text").asText(""));
        if (problems.isEmpty()) {
            charges.add(charge(first, "answered"));
            return first;
        }
        charges.add(charge(first, "invalid"));
        ObjectNode repair = receipt.putObject("repair");
        repair.put("first", first.path("text").asText(""));
        problems.forEach(repair.putArray("problems")::add);
        ArrayNode again = conversation.deepCopy();
        again.addObject()
                .put("role", "assistant")
                .put("text", first.path("text").asText(""));
        again.addObject()
                .put("role", "user")
                .put(
                        "text",
                        "Your answer does not match the required JSON Schema: " + String.join("; ", problems)
                                + ". Answer again with only the corrected JSON object, nothing else.");
        var second = send(again);
        var still = check.problems(second.path("text").asText(""));
        if (!still.isEmpty()) {
            charges.add(charge(second, "invalid"));
            throw new IllegalStateException(route + " answered twice with output that does not match the schema ("
                    + String.join("; ", still) + "); the step is retried with its retry policy");
        }
        charges.add(charge(second, "answered"));
        return second;
    }

    private ObjectNode send(ArrayNode conversation) {
        return ChatCall.send(
                gateway.providers.model(route),
                route.provider(),
                route.model(),
                conversation,
                request.outputSchema(),
                request.tools(),
                request.maxOutputTokens());
    }

    private Ledger.Charge charge(JsonNode completion, String outcome) {
        return charge(
                completion.path("inputTokens").asLong(),
                completion.path("outputTokens").asLong(),
                false,
                outcome);
    }

    private Ledger.Charge charge(long inputTokens, long outputTokens, boolean cached, String outcome) {
        var ctx = scope.context();
        return new Ledger.Charge(
                gateway.clock.instant(),
                ctx.runId(),
                ctx.stepId(),
                ctx.idempotencyKey(),
                callNo,
                scope.agent(),
                ctx.playbook().name(),
                route.provider(),
                route.model(),
                request.modelClass(),
                inputTokens,
                outputTokens,
                cached ? 0 : gateway.prices.nanos(route.model(), inputTokens, outputTokens),
                cached || gateway.prices.price(route.model()).isPresent(),
                cached,
                outcome,
                ctx.subject());
    }
}
