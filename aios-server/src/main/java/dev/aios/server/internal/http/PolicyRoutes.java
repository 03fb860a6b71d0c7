package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.kernel.InvalidInputException;
import dev.aios.policy.PolicyException;
import dev.aios.policy.PolicyExtension;
import dev.aios.server.ApiServer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * The central policy over HTTP: {@code GET|PUT /api/policy}, its versions and rollback, and the
 * agents' flags. A policy with problems is refused whole (400) with every problem listed; a change
 * made on a version that is no longer the newest is refused (409).
 */
public final class PolicyRoutes implements ApiServer.Routes {
    private final PolicyExtension policy;
    private final Optional<dev.aios.kernel.AuditLog> audit;

    public PolicyRoutes(PolicyExtension policy) {
        this(policy, Optional.empty());
    }

    /** Routes that record every policy and flag change in {@code audit}. */
    public PolicyRoutes(PolicyExtension policy, Optional<dev.aios.kernel.AuditLog> audit) {
        this.policy = policy;
        this.audit = audit;
    }

    private void audited(String action, String target, Object answer) {
        audit.ifPresent(log -> log.append(
                action, target, dev.aios.server.internal.Json.mapper().valueToTree(answer)));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get(
                "/api/policy",
                ctx -> ctx.json(policy.current()),
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
        routes.put("/api/policy", guarded(this::put), dev.aios.server.Access.scope(dev.aios.kernel.Scope.ADMIN));
        routes.get(
                "/api/policy/versions",
                ctx -> ctx.json(policy.versions()),
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
        routes.post(
                "/api/policy/rollback",
                guarded(this::rollback),
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.ADMIN));
        routes.get(
                "/api/flags",
                ctx -> ctx.json(policy.flags()),
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
        routes.put(
                "/api/flags/{agent}", guarded(this::flag), dev.aios.server.Access.scope(dev.aios.kernel.Scope.ADMIN));
        routes.get(
                "/api/segments/{subject}",
                ctx -> ctx.json(policy.segmentsOf(ctx.pathParam("subject"))),
                dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
        routes.get("/api/answers", this::answers, dev.aios.server.Access.scope(dev.aios.kernel.Scope.READ));
        // Showing a task to the operator starts their time on it.
        routes.after("/api/tasks/{id}", ctx -> {
            if (ctx.method() == io.javalin.http.HandlerType.GET && ctx.statusCode() == 200) {
                policy.viewed(ctx.pathParam("id"));
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
        var changed = policy.put(
                document.get(), basedOn, author(ctx), body.text("reason").orElse(""));
        audited("policy.change", "policy", changed);
        ctx.json(changed);
    }

    private void rollback(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("version", "reason"));
        int version = body.json("version")
                .map(PolicyRoutes::version)
                .orElseThrow(() -> new InvalidInputException("field 'version' is required: the version to go back to"));
        var changed = policy.rollback(version, author(ctx), body.text("reason").orElse(""));
        audited("policy.rollback", "policy", changed);
        ctx.json(changed);
    }

    private void flag(Context ctx) {
        var body = RequestBody.of(ctx.bodyAsBytes()).allowOnly(Set.of("state", "segment"));
        var state = body.text("state")
                .orElseThrow(() -> new InvalidInputException("field 'state' is required: on, off or shadow"));
        var changed = policy.setFlag(ctx.pathParam("agent"), body.text("segment"), state, author(ctx));
        audited("flag.change", ctx.pathParam("agent"), changed);
        ctx.json(changed);
    }

    /** Who made a change, for the policy's history: the token's name, else what the client says. */
    private static String author(Context ctx) {
        return dev.aios.server.Access.caller(ctx)
                .map(dev.aios.kernel.Caller::name)
                .or(() -> Optional.ofNullable(ctx.header("X-Aios-Author")).filter(a -> !a.isBlank()))
                .orElse("operator");
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
