package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.api.OperatorNeeded;
import dev.aios.api.PermanentFailure;
import dev.aios.api.PlaybookRef;
import dev.aios.api.StepOptions;
import dev.aios.api.TryAgainLater;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.agent.AgentBinding;
import dev.aios.kernel.internal.agent.ContractViolation;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.cel.CelException;
import dev.aios.kernel.internal.cel.Expression;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.run.RunState;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.StepPolicy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Executes one leased work item against the run's committed state and says what happened. Runs
 * outside any transaction: agents may take long, and nothing here writes.
 */
final class StepRunner {
    private final AgentLookup agents;
    private final Services services;
    private final Cel cel;
    private final InstantSource clock;
    private final ExecutorService calls;
    private final Effects effects;
    private final EventIntake intake;
    private final int maxEventDepth;
    private final java.util.function.Supplier<Optional<dev.aios.kernel.spi.BatchWindows>> windowsOf;
    private final Loops loops;
    private final Supplier<Optional<StepPolicy>> policies;

    StepRunner(
            AgentLookup agents,
            Cel cel,
            InstantSource clock,
            ExecutorService calls,
            Effects effects,
            Services services,
            EventIntake intake,
            int maxEventDepth,
            java.util.function.Supplier<Optional<dev.aios.kernel.spi.BatchWindows>> windows,
            Loops loops,
            Supplier<Optional<StepPolicy>> policies) {
        this.windowsOf = windows;
        this.loops = loops;
        this.policies = policies;
        this.agents = agents;
        this.services = services;
        this.cel = cel;
        this.clock = clock;
        this.calls = calls;
        this.effects = effects;
        this.intake = intake;
        this.maxEventDepth = maxEventDepth;
    }

    /** Executes a {@code step} item. */
    Outcome execute(CompiledPlaybook playbook, CompiledStep step, RunState state, Lease lease) {
        var vars = RunVars.at(state, playbook, lease.step());
        try {
            return switch (step) {
                case CompiledStep.AgentCall call -> callAgent(playbook, call, state, lease, vars);
                case CompiledStep.Approval approval -> ask(approval, vars);
                case CompiledStep.Wait wait -> sleep(wait, vars);
                case CompiledStep.Await await -> listen(await, vars);
                case CompiledStep.Branch branch -> choose(branch, vars);
                case CompiledStep.Emit emit -> publish(emit, state, lease, vars);
                case CompiledStep.Parallel p -> new Outcome.Fork();
                case CompiledStep.ForEach forEach -> items(forEach, vars);
                case CompiledStep.Call call ->
                    new Outcome.Call(evalAll(call.input(), vars), call.playbook(), call.waits());
                case CompiledStep.Conversation c -> new Outcome.Turn(0);
                case CompiledStep.Send s -> send(s, state, lease, vars);
            };
        } catch (CelException e) {
            return new Outcome.Failed(Json.object(), "step '" + step.id() + "': " + e.getMessage(), false);
        }
    }

    /** The type of the events that send steps publish. */
    static final String MESSAGE_TYPE = "agent.message";

    /** The most items a forEach step runs over. */
    static final int MAX_ITEMS = 100_000;

    private Outcome items(CompiledStep.ForEach forEach, Map<String, JsonNode> vars) {
        var items = forEach.items().eval(vars);
        if (!items.isArray()) {
            return new Outcome.Failed(
                    Json.object(),
                    "step '" + forEach.id() + "': `" + forEach.items().source() + "` yielded "
                            + items.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                            + ", not a list; make it yield the list to go over",
                    false);
        }
        if (items.size() > MAX_ITEMS) {
            return new Outcome.Failed(
                    Json.object(),
                    "step '" + forEach.id() + "': `" + forEach.items().source() + "` yielded " + items.size()
                            + " items; a forEach runs over at most " + MAX_ITEMS + ", so split the list",
                    false);
        }
        var list = new java.util.ArrayList<JsonNode>(items.size());
        items.forEach(list::add);
        return new Outcome.Items(list);
    }

    /**
     * Executes a {@code join} item: a step holding others decides what follows once they are done. A
     * forEach collects what each iteration yields, in the items' order.
     */
    Outcome join(CompiledPlaybook playbook, CompiledStep step, RunState state, Lease lease) {
        if (step instanceof CompiledStep.Conversation conversation) {
            return nextTurn(playbook, conversation, state, lease);
        }
        if (!(step instanceof CompiledStep.ForEach forEach)) {
            return new Outcome.Failed(Json.object(), "step '" + step.id() + "' has nothing to join", false);
        }
        var rows = loops.rows(state.id, lease.step());
        var collected = Json.mapper().createArrayNode();
        var base = RunVars.at(state, playbook, lease.step());
        for (var row : rows) {
            if (forEach.collect().isEmpty()) {
                collected.add(row.outputs());
                continue;
            }
            var vars = new java.util.HashMap<>(base);
            var steps = Json.object();
            steps.setAll((ObjectNode) base.get("steps"));
            steps.setAll((ObjectNode) row.outputs());
            vars.put("steps", steps);
            vars.put(forEach.as(), row.item());
            try {
                collected.add(forEach.collect().get().eval(vars));
            } catch (CelException e) {
                return new Outcome.Failed(
                        Json.object(),
                        "step '" + forEach.id() + "' cannot collect item " + row.index() + ": " + e.getMessage(),
                        false);
            }
        }
        ObjectNode input = Json.object();
        input.put("items", rows.size());
        return new Outcome.Completed(input, collected, Optional.empty(), forEach.next());
    }

    /** After a turn: the next one, or the conversation's end with its transcript. */
    private Outcome nextTurn(
            CompiledPlaybook playbook, CompiledStep.Conversation conversation, RunState state, Lease lease) {
        var block = state.blocks.get(lease.step());
        if (block == null) {
            return new Outcome.Nothing("conversation '" + lease.step() + "' is not in progress");
        }
        var transcript = block.transcript;
        var vars = RunVars.at(state, playbook, lease.step());
        try {
            var ended = Turns.endedBy(conversation, transcript, vars);
            if (ended.isEmpty()) {
                return new Outcome.Turn(transcript.size());
            }
            ObjectNode input = Json.object();
            input.put("turns", transcript.size());
            return new Outcome.Completed(
                    input, Turns.output(transcript, ended.get()), Optional.empty(), conversation.next());
        } catch (CelException e) {
            return new Outcome.Failed(
                    Json.object(),
                    "conversation '" + conversation.id() + "': `"
                            + conversation.until().source() + "` cannot be evaluated after turn " + transcript.size()
                            + ": " + e.getMessage(),
                    false);
        }
    }

    /** Reads what the iterations of a forEach step left. */
    @FunctionalInterface
    interface Loops {
        /** One item with the outputs of its iteration's steps. */
        record Row(int index, JsonNode item, JsonNode outputs) {}

        /** The items of the forEach step at {@code block} of run {@code runId}, in order. */
        List<Row> rows(String runId, String block);
    }

    /** Executes a {@code timer} item: the wait is over. */
    Outcome wake(CompiledStep step, Lease lease) {
        if (!(step instanceof CompiledStep.Wait wait)) {
            return new Outcome.Failed(Json.object(), "step '" + step.id() + "' is not a wait step", false);
        }
        ObjectNode output = Json.object();
        output.put("wokeAt", clock.instant().toString());
        return new Outcome.Completed(Json.object(), output, Optional.empty(), wait.next());
    }

    /** Executes a {@code timeout} item: nothing matched in time. */
    Outcome giveUp(CompiledStep step) {
        if (!(step instanceof CompiledStep.Await await)) {
            return new Outcome.Failed(Json.object(), "step '" + step.id() + "' is not an await step", false);
        }
        return new Outcome.TimedOut(await.onTimeout());
    }

    private Outcome callAgent(
            CompiledPlaybook playbook,
            CompiledStep.AgentCall call,
            RunState state,
            Lease lease,
            Map<String, JsonNode> vars) {
        var windows = windowsOf.get();
        var window =
                call.options().window().or(() -> playbook.model().defaults().window());
        if (window.isPresent() && windows.isPresent()) {
            var closed = windows.get().closedUntil(window.get(), clock.instant());
            if (closed.isPresent()) {
                return new Outcome.Deferred(
                        "window",
                        "waits for batch window '" + window.get() + "' ("
                                + windows.get().describe(window.get()) + "), which opens at " + closed.get(),
                        closed.get());
            }
        }
        ObjectNode input = evalAll(call.input(), vars);
        PolicyGate.Invoker invoker =
                (agent, suffix, shadow) -> invoke(playbook, agent, input, state, lease, suffix, call.options(), shadow);
        var policy = policies.get();
        if (policy.isPresent()) {
            var ref = new PlaybookRef(playbook.name(), playbook.version());
            var facts = new StepFacts(state.id, ref, call.id(), lease.iteration(), state.subject, call.agent(), input);
            return new PolicyGate(policy.get())
                    .run(call, facts, invoker, done -> playbookRule(call, done), agentRef(ref, call.agent()));
        }
        var called = invoker.invoke(call.agent(), "", Optional.empty());
        if (!(called instanceof Called.Done done)) {
            return ((Called.Stopped) called).outcome();
        }
        return playbookRule(call, done)
                .orElseGet(() -> new Outcome.Completed(
                        done.input(), done.output(), Optional.of(done.agent()), call.next(), done.notes()));
    }

    /** The review the playbook's own approval rule asks for, if any. */
    private Optional<Outcome> playbookRule(CompiledStep.AgentCall call, Called.Done done) {
        return call.approval().flatMap(rule -> reviewIfNeeded(rule, done));
    }

    /** {@code name@version} of an agent, or its name when it cannot be found. */
    private String agentRef(PlaybookRef playbook, String name) {
        return agents.find(playbook, name)
                .map(b -> b.terms().name() + "@" + b.terms().version())
                .orElse(name);
    }

    /** Executes a {@code compensate} item: undoes one completed step. */
    Outcome undo(CompiledPlaybook playbook, RunState state, Lease lease) {
        var targets = state.compensation != null
                ? state.compensation.targets.stream()
                : state.blocks.values().stream().flatMap(b -> b.undo.stream());
        var target = targets.filter(t -> t.step().equals(lease.step()) && t.iteration() == lease.iteration())
                .findFirst();
        if (target.isPresent() && playbook.step(lease.step()) instanceof CompiledStep.Call) {
            return Lineage.childOf(state, lease.step(), lease.iteration())
                    .<Outcome>map(Outcome.UndoChild::new)
                    .orElseGet(
                            () -> new Outcome.Completed(Json.object(), Json.object(), Optional.empty(), "", List.of()));
        }
        if (target.isEmpty()
                || !(playbook.step(lease.step()) instanceof CompiledStep.AgentCall call)
                || call.compensation().isEmpty()) {
            return new Outcome.Failed(Json.object(), "step '" + lease.step() + "' has nothing to undo it with", false);
        }
        var compensation = call.compensation().get();
        var vars = RunVars.at(state, playbook, lease.step());
        // The step being undone is seen with the output of the iteration being undone.
        var steps = ((ObjectNode) vars.get("steps")).deepCopy();
        steps.set(call.id(), target.get().output());
        vars.put("steps", steps);
        ObjectNode input;
        try {
            input = evalAll(compensation.input(), vars);
        } catch (CelException e) {
            return new Outcome.Failed(Json.object(), "undoing step '" + lease.step() + "': " + e.getMessage(), false);
        }
        var called =
                invoke(playbook, compensation.agent(), input, state, lease, ":undo", call.options(), Optional.empty());
        return switch (called) {
            case Called.Done done ->
                new Outcome.Completed(done.input(), done.output(), Optional.of(done.agent()), "", done.notes());
            case Called.Stopped stopped -> stopped.outcome();
        };
    }

    /** What calling an agent gave: its output, or the outcome that stops the step. */
    sealed interface Called {
        record Done(JsonNode input, JsonNode output, String agent, List<JsonNode> notes) implements Called {}

        record Stopped(Outcome outcome) implements Called {}
    }

    private Called invoke(
            CompiledPlaybook playbook,
            String agentName,
            ObjectNode input,
            RunState state,
            Lease lease,
            String keySuffix,
            StepOptions options,
            Optional<Set<String>> shadowEffects) {
        Optional<AgentBinding> found = agents.find(new PlaybookRef(playbook.name(), playbook.version()), agentName);
        if (found.isEmpty()) {
            return new Called.Stopped(new Outcome.Failed(
                    input, "agent '" + agentName + "' is neither registered nor declared by the playbook", false));
        }
        AgentBinding binding = found.get();
        String agentRef = binding.terms().name() + "@" + binding.terms().version();
        JsonNode validated;
        try {
            validated = binding.validateInput(input);
            checkPreconditions(binding, validated);
        } catch (ContractViolation | CelException e) {
            return new Called.Stopped(new Outcome.Failed(input, e.getMessage(), false));
        }
        var context = new StepContext(
                lease,
                state.subject,
                new PlaybookRef(playbook.name(), playbook.version()),
                clock,
                keySuffix,
                agentName,
                binding.terms().effects(),
                options.heartbeat(),
                effects,
                services,
                shadowEffects);
        Duration timeout = options.timeout().orElse(binding.terms().timeout());
        var logContext = org.slf4j.MDC.getCopyOfContextMap();
        // The agent runs on a thread of its own: its log lines name the run, step and subject too, and
        // its spans land under the step's.
        var future = calls.submit(io.opentelemetry.context.Context.current().wrap(() -> {
            if (logContext != null) {
                org.slf4j.MDC.setContextMap(logContext);
            }
            return binding.callValidated(validated, context);
        }));
        try {
            var output = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Called.Done(validated, output, agentRef, context.notes());
        } catch (TimeoutException e) {
            future.cancel(true);
            return new Called.Stopped(new Outcome.Failed(
                    input, "agent '" + agentName + "' did not finish within " + timeout, true, "Timeout"));
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new Called.Stopped(
                    new Outcome.Failed(input, "interrupted while agent '" + agentName + "' ran", true));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof OperatorNeeded needed) {
                return new Called.Stopped(new Outcome.Draft(
                        validated, needed.title(), needed.explanation(), needed.draft(), agentRef, context.notes()));
            }
            return new Called.Stopped(failure(input, e.getCause()));
        }
    }

    private Outcome failure(JsonNode input, Throwable cause) {
        return switch (cause) {
            case Deferral deferral -> new Outcome.Deferred(deferral.why(), deferral.getMessage(), deferral.until());
            case TryAgainLater later ->
                new Outcome.Deferred(
                        "later",
                        "asked to try again later: " + later.getMessage(),
                        clock.instant().plus(later.after()));
            case PermanentFailure permanent ->
                new Outcome.Failed(
                        input, describe(permanent), false, permanent.getClass().getName());
            case ContractViolation violation ->
                new Outcome.Failed(input, violation.getMessage(), true, "ContractViolation");
            default ->
                new Outcome.Failed(
                        input, describe(cause), true, cause.getClass().getName());
        };
    }

    private static Optional<Outcome> reviewIfNeeded(Expression rule, Called.Done done) {
        var vars = Map.<String, JsonNode>of("input", done.input(), "output", done.output());
        try {
            if (rule.test(vars)) {
                return Optional.of(new Outcome.Review(
                        done.input(),
                        done.output(),
                        done.agent(),
                        rule.source(),
                        "the approval rule `" + rule.source() + "` holds",
                        done.notes()));
            }
            return Optional.empty();
        } catch (CelException e) {
            // An approval rule that cannot be evaluated must not wave the output through.
            return Optional.of(new Outcome.Review(
                    done.input(),
                    done.output(),
                    done.agent(),
                    rule.source(),
                    "the approval rule `" + rule.source() + "` could not be evaluated (" + e.getMessage()
                            + "), so the output waits for you",
                    done.notes()));
        }
    }

    private void checkPreconditions(AgentBinding binding, JsonNode input) {
        for (String precondition : binding.terms().preconditions()) {
            if (!cel.compile(precondition).test(Map.of("input", input))) {
                throw new CelException(
                        precondition,
                        "precondition `" + precondition + "` of agent '"
                                + binding.terms().name() + "' does not hold for this input");
            }
        }
    }

    private Outcome ask(CompiledStep.Approval approval, Map<String, JsonNode> vars) {
        ObjectNode shown = evalAll(approval.show(), vars);
        if (approval.when().isPresent() && !approval.when().get().test(vars)) {
            ObjectNode output = Json.object();
            output.put("approved", true);
            output.put("asked", false);
            return new Outcome.Completed(shown, output, Optional.empty(), approval.next());
        }
        return new Outcome.Ask(shown, approval.title());
    }

    private Outcome sleep(CompiledStep.Wait wait, Map<String, JsonNode> vars) {
        Instant now = clock.instant();
        Instant until;
        if (wait.until().isPresent()) {
            until = wait.until().get().evalInstant(vars);
        } else {
            Duration duration = wait.fixed().isPresent()
                    ? wait.fixed().get()
                    : wait.duration().orElseThrow().evalDuration(vars);
            until = now.plus(duration);
        }
        ObjectNode input = Json.object();
        input.put("until", until.toString());
        return new Outcome.Sleep(input, until);
    }

    private Outcome listen(CompiledStep.Await await, Map<String, JsonNode> vars) {
        Duration timeout = await.fixedTimeout().isPresent()
                ? await.fixedTimeout().get()
                : await.timeout().orElseThrow().evalDuration(vars);
        Instant timeoutAt = clock.instant().plus(timeout);
        ObjectNode input = Json.object();
        input.put("event", await.eventType());
        input.put("match", await.match().source());
        input.put("timeoutAt", timeoutAt.toString());
        return new Outcome.Listen(input, await.eventType(), timeoutAt);
    }

    private Outcome choose(CompiledStep.Branch branch, Map<String, JsonNode> vars) {
        String target = branch.otherwise();
        String matched = "otherwise";
        for (var option : branch.cases()) {
            if (option.when().test(vars)) {
                target = option.target();
                matched = option.when().source();
                break;
            }
        }
        ObjectNode output = Json.object();
        output.put("target", target);
        output.put("because", matched);
        return new Outcome.Completed(Json.object(), output, Optional.empty(), target);
    }

    private Outcome publish(CompiledStep.Emit emit, RunState state, Lease lease, Map<String, JsonNode> vars) {
        ObjectNode data = evalAll(emit.data(), vars);
        String subject =
                emit.subject().isPresent() ? emit.subject().get().eval(vars).asText() : state.subject;
        String key = StepContext.idempotencyKey(state.id, lease.step(), lease.iteration());
        String correlation = state.trigger
                .path("correlationId")
                .asText(state.trigger.path("id").asText());
        var event = new Event(
                "e-" + sha256(key).substring(0, 20),
                emit.type(),
                subject,
                "run:" + state.id,
                clock.instant(),
                data,
                correlation,
                state.id);
        ObjectNode input = Json.object();
        input.put("type", emit.type());
        input.put("subject", subject);
        input.set("data", data);
        int depth = state.trigger.path("depth").asInt(0) + 1;
        var routing = intake.route(event, depth);
        if (depth > maxEventDepth && !routing.start().isEmpty()) {
            return new Outcome.Failed(input, loop(emit, state, routing, depth), false, "EventLoop");
        }
        return new Outcome.Publish(input, event, routing, emit.next());
    }

    /**
     * A send step publishes an {@code agent.message} event addressed to the agent ({@code to:
     * agent/NAME}), which the intake queues in the instance's mailbox as it logs it. Its id is derived
     * from the step's idempotency key, so a send that runs again (after a crash, a retry) is the same
     * event and is delivered once.
     */
    private Outcome send(CompiledStep.Send send, RunState state, Lease lease, Map<String, JsonNode> vars) {
        ObjectNode message = evalAll(send.message(), vars);
        String subject =
                send.subject().isPresent() ? send.subject().get().eval(vars).asText() : state.subject;
        ObjectNode input = Json.object();
        input.put("agent", send.agent());
        input.put("subject", subject);
        input.set("message", message);
        if (subject.isBlank()) {
            return new Outcome.Failed(
                    input,
                    "the message has no subject: the run has none and the step's subject is empty;"
                            + " give the send step a subject",
                    false);
        }
        ObjectNode data = Json.object();
        data.put("to", "agent/" + send.agent());
        data.setAll(message);
        String key = StepContext.idempotencyKey(state.id, lease.step(), lease.iteration());
        String correlation = state.trigger
                .path("correlationId")
                .asText(state.trigger.path("id").asText());
        var event = new Event(
                "m-" + sha256(key).substring(0, 24),
                MESSAGE_TYPE,
                subject,
                "run:" + state.id,
                clock.instant(),
                data,
                correlation,
                state.id);
        int depth = state.trigger.path("depth").asInt(0) + 1;
        var routing = intake.route(event, depth);
        if (depth > maxEventDepth && !routing.start().isEmpty()) {
            return new Outcome.Failed(
                    input,
                    "sending to " + send.agent() + " would start "
                            + routing.start().stream()
                                    .map(p -> p.name())
                                    .distinct()
                                    .toList()
                            + " as link " + depth + " of a chain of events and runs; a chain is stopped after "
                            + maxEventDepth + " links, since it looks like an event loop",
                    false,
                    "EventLoop");
        }
        return new Outcome.Publish(input, event, routing, send.next());
    }

    /** Why an emit was stopped: the chain of events and runs it would extend looks endless. */
    private String loop(CompiledStep.Emit emit, RunState state, EventIntake.Routing routing, int depth) {
        var starts = routing.start().stream()
                .map(p -> p.name())
                .distinct()
                .collect(java.util.stream.Collectors.joining(", "));
        String cause = state.trigger.path("causationId").asText("");
        return "emitting " + emit.type() + " would start " + starts + " as link " + depth
                + " of a chain of events and runs, each started by the event the one before emitted (this run of "
                + state.playbook + " was started by "
                + state.trigger.path("type").asText() + " "
                + state.trigger.path("id").asText() + (cause.isEmpty() ? "" : ", emitted by run " + cause)
                + "). A chain is stopped after " + maxEventDepth + " links, since it looks like an event loop:"
                + " check that these playbooks do not trigger each other without end. Skip this step to go on"
                + " without emitting, or cancel the run";
    }

    private static ObjectNode evalAll(Map<String, Expression> expressions, Map<String, JsonNode> vars) {
        ObjectNode out = Json.object();
        expressions.forEach((field, expression) -> {
            try {
                out.set(field, expression.eval(vars));
            } catch (CelException e) {
                throw new CelException(expression.source(), "'" + field + "': " + e.getMessage());
            }
        });
        return out;
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return error.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
