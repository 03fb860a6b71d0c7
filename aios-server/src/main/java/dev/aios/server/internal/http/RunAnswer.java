package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.aios.kernel.RunView;
import dev.aios.server.internal.Json;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/**
 * Answers a synchronous request with its run: 200 with the run's output when it completed, 202 with
 * where to follow it when it has not ended yet, and a problem document when it ended otherwise.
 */
final class RunAnswer {
    private RunAnswer() {}

    /** The output of a run: that of the last step it completed. */
    static JsonNode output(RunView run) {
        JsonNode output = NullNode.instance;
        for (var step : run.steps()) {
            if (step.status() == dev.aios.kernel.StepStatus.COMPLETED) {
                output = step.output();
            }
        }
        return output;
    }

    static void send(Context ctx, RunView run) {
        var body = Json.mapper().createObjectNode();
        body.put("runId", run.id());
        body.put("playbook", run.playbook());
        body.put("status", run.status().wire());
        switch (run.status()) {
            case COMPLETED -> {
                body.set("output", output(run));
                ctx.status(HttpStatus.OK).json(body);
            }
            case FAILED, CANCELLED, COMPENSATED ->
                ApiRoutes.answer(
                        ctx,
                        Problem.of(
                                500,
                                "run " + run.id() + " ended " + run.status().wire()
                                        + run.error().map(e -> ": " + e).orElse("")
                                        + "; 'aios run show " + run.id() + "' shows each step"));
            default -> {
                body.put("location", "/api/runs/" + run.id());
                ctx.status(HttpStatus.ACCEPTED)
                        .header("Location", "/api/runs/" + run.id())
                        .json(body);
            }
        }
    }
}
