package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.kernel.Actor;
import dev.aios.kernel.Caller;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Scope;
import dev.aios.kernel.StepView;
import dev.aios.policy.PolicyException;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.Access;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The central policy over HTTP: {@code GET|PUT /api/policy}, its versions and rollback, the
 * agents' flags, the operator's answers, autonomy suggestions, anomaly alerts and corrections. A policy with problems is refused whole (400) with every problem listed; a change
 * made on a version that is no longer the newest is refused (409).
 */
public final class PolicyRoutes implements ApiServer.Routes {
    private final PolicyExtension policy;
    private final Kernel kernel;

    public PolicyRoutes(PolicyExtension policy, Kernel kernel) {
        this.policy = policy;
        this.kernel = kernel;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        var read = Access.scope(Scope.READ);
        var operate = Access.scope(Scope.OPERATE);
        var admin = Access.scope(Scope.ADMIN);
        routes.get("/api/policy", ctx -> ctx.json(policy.current()), read);
        routes.put("/api/policy", guarded(this::put), admin);
        routes.get("/api/policy/versions", ctx -> ctx.json(policy.versions()), read);
        routes.post("/api/policy/rollback", guarded(this::rollback), admin);
        routes.get("/api/flags", ctx -> ctx.json(policy.flags()), read);
        routes.put("/api/flags/{agent}", guarded(this::flag), admin);
        routes.get("/api/segments/{subject}", ctx -> ctx.json(policy.segmentsOf(ctx.pathParam("subject"))), read);
        routes.get("/api/answers", this::answers, read);
        routes.get("/api/suggestions", ctx -> ctx.json(policy.suggestions()), read);
        routes.post("/api/suggestions/{id}/accept", guarded(this::accept), admin);
        routes.post("/api/suggestions/{id}/decline", guarded(this::decline), operate);
        routes.get("/api/alerts", ctx -> ctx.json(policy.alerts("true".equals(ctx.queryParam("all")))), read);
        routes.post("/api/corrections", guarded(this::correct), operate);
        // Showing a task to the operator starts their time on it: through the API, the console's
        // task page, or the inbox cards it can be answered from (a sign-in redirect or a refusal is
        // not a 200, and starts nothing).
        for (var shown : List.of("/api/tasks/{id}", "/tasks/{id}")) {
            routes.after(shown, ctx -> {
                if (ctx.method() == io.javalin.http.HandlerType.GET && ctx.statusCode() == 200) {
                    policy.viewed(ctx.pathParam("id"));
                }
            });
        }
        routes.after("/", ctx -> {
            List<String> tasks = ctx.attribute(dev.aios.server.internal.console.Console.TASKS_SHOWN);
            if (ctx.method() == io.javalin.http.HandlerType.GET && ctx.statusCode() == 200 && tasks != null) {
                policy.viewed(tasks);
            }
        });
    }

    /** The operator's answers per agent, rule and segment, over the last {@code days} (30 by default). */
    private void answers(Context ctx) {
        var days = Optional.ofNullable(ctx.queryParam("days"))
                .filter(d -> !d.isBlank())
                .orElse("30");
        int n;
        try {
            n = Integer.parseInt(days.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("query parameter 'days' must be a whole number, was '" + days + "'");
        }
        ctx.json(policy.answers(java.time.Duration.ofDays(n)));
    }

    /**
     * {@code {"run", "step", "output", "reason"}}: what a committed agent output should have been. Kept
     * as an answer and an example; revokes the autonomy suggestion it committed through, if any.
     */
    private void correct(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("run", "step", "output", "reason"));
        var runId = body.text("run")
                .orElseThrow(
                        () -> new InvalidInputException("field 'run' is required: the run whose output to correct"));
        var stepId = body.text("step")
                .orElseThrow(() -> new InvalidInputException("field 'step' is required: the agent step's id"));
        var output = body.json("output")
                .filter(JsonNode::isObject)
                .orElseThrow(() -> new InvalidInputException(
                        "field 'output' is required: the output as it should have been, a JSON object"));
        var run = kernel.run(runId);
        var step = run.steps().stream()
                .filter(s -> s.id().equals(stepId) && s.status() == dev.aios.kernel.StepStatus.COMPLETED)
                .reduce((first, second) -> second)
                .orElseThrow(() -> new InvalidInputException("run " + runId + " has no completed step '" + stepId
                        + "'; its steps are "
                        + run.steps().stream().map(StepView::id).distinct().toList()));
        ctx.json(policy.correct(
                runId,
                stepId,
                step.input(),
                step.output(),
                output,
                body.text("reason").orElse(""),
                author(ctx)));
    }

    /**
     * {@code {"minConfidence", "minAmount", "maxAmount", "comment"}}, all optional: accepts a proposed
     * autonomy suggestion (its region narrowed by the numbers given) as a new policy version, and
     * closes its inbox task.
     */
    private void accept(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes())
                .allowOnly(Set.of("minConfidence", "minAmount", "maxAmount", "comment"));
        var edit = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (var field : List.of("minConfidence", "minAmount", "maxAmount")) {
            body.json(field).ifPresent(value -> edit.set(field, value));
        }
        var comment = body.text("comment").orElse("");
        var accepted = policy.acceptSuggestion(ctx.pathParam("id"), edit, comment);
        closeTask(
                accepted,
                "accepted through the API (policy version "
                        + accepted.path("version").asInt() + ")");
        ctx.json(accepted);
    }

    /** {@code {"reason"}}: declines a proposed autonomy suggestion and closes its inbox task. */
    private void decline(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("reason"));
        var declined = policy.declineSuggestion(
                ctx.pathParam("id"), body.text("reason").orElse(""));
        closeTask(declined, "declined through the API");
        ctx.json(declined);
    }

    /** Answers the suggestion's inbox task, if it is still open, so that nobody answers it twice. */
    private void closeTask(JsonNode suggestion, String comment) {
        var run = suggestion.path("run").asText("");
        if (run.isEmpty()) {
            return;
        }
        for (var task : kernel.tasks(false)) {
            if (task.runId().equals(run)) {
                if (suggestion.path("status").asText().equals("accepted")) {
                    kernel.approve(task.id(), Optional.empty(), comment);
                } else {
                    kernel.reject(task.id(), comment);
                }
            }
        }
    }

    /** The policy's own refusals answered as bad input. */
    private static Handler guarded(Handler handler) {
        return ctx -> {
            try {
                handler.handle(ctx);
            } catch (PolicyException e) {
                throw new InvalidInputException(e.getMessage(), e);
            }
        };
    }

    /** {@code {"document": {...}} or {"yaml": "..."}, with "basedOn" (the version changed) and "reason"}. */
    private void put(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("document", "yaml", "basedOn", "reason"));
        var document = body.json("document").or(() -> body.text("yaml").map(PolicyRoutes::yaml));
        if (document.isEmpty()) {
            throw new InvalidInputException(
                    "give the policy as \"document\" (JSON) or \"yaml\" (text), with \"basedOn\": the version you"
                            + " changed; nothing changed");
        }
        int basedOn = body.json("basedOn")
                .map(PolicyRoutes::version)
                .orElseThrow(() -> new InvalidInputException(
                        "field 'basedOn' is required: the version your change is made on (GET /api/policy);"
                                + " nothing changed"));
        ctx.json(policy.put(
                document.get(), basedOn, author(ctx), body.text("reason").orElse("")));
    }

    private void rollback(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("version", "reason"));
        int version = body.json("version")
                .map(PolicyRoutes::version)
                .orElseThrow(() -> new InvalidInputException("field 'version' is required: the version to go back to"));
        ctx.json(policy.rollback(version, author(ctx), body.text("reason").orElse("")));
    }

    private void flag(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("state", "segment"));
        var state = body.text("state")
                .orElseThrow(() -> new InvalidInputException("field 'state' is required: on, off or shadow"));
        ctx.json(policy.setFlag(ctx.pathParam("agent"), body.text("segment"), state, author(ctx)));
    }

    /** Who made a change, for the policy's history: the name of the token the request carried. */
    private static String author(Context ctx) {
        return Access.caller(ctx).map(Caller::name).orElseGet(Actor::current);
    }

    private static int version(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.asInt();
        }
        var text = value.asText();
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException("a policy version is a whole number such as 3, not '" + text + "'");
        }
    }

    private static JsonNode yaml(String text) {
        try {
            var node = new YAMLMapper().readTree(text);
            return node == null || node.isNull() || node.isMissingNode() ? new YAMLMapper().createObjectNode() : node;
        } catch (IOException e) {
            throw new InvalidInputException("the policy is not valid YAML: " + e.getMessage());
        }
    }
}
