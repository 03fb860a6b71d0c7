package dev.aios.server.internal.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskQuery;
import dev.aios.memory.MemoryExtension;
import dev.aios.server.internal.Json;
import dev.aios.server.internal.mcp.AiosCalls;
import dev.aios.server.internal.mcp.ToolFailure;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.Optional;

/** The MCP tools' calls made on the kernel and memory directly, as the API routes make them. */
final class KernelCalls implements AiosCalls {
    private final Kernel kernel;
    private final MemoryExtension memory;
    private final InstantSource clock;

    KernelCalls(Kernel kernel, MemoryExtension memory, InstantSource clock) {
        this.kernel = kernel;
        this.memory = memory;
        this.clock = clock;
    }

    @Override
    public JsonNode sendEvent(ObjectNode event) {
        return tree(kernel.send(EventBody.plain(RequestBody.of(event), clock.instant())));
    }

    @Override
    public JsonNode tasks(boolean all) {
        var query = all ? TaskQuery.open().includingClosed() : TaskQuery.open();
        return tree(kernel.taskPage(query).items());
    }

    @Override
    public JsonNode answer(String taskId, Answer answer, String comment, Optional<JsonNode> output) {
        return tree(
                switch (answer) {
                    case APPROVE -> kernel.approve(taskId, output, comment);
                    case REJECT -> kernel.reject(taskId, comment);
                    case RETRY -> kernel.retry(taskId, comment);
                    case SKIP -> {
                        if (output.isEmpty() && kernel.task(taskId).kind() == TaskKind.DEAD_LETTER) {
                            throw new InvalidInputException("skipping a failed step needs the output its run goes"
                                    + " on with: pass it as 'output'; nothing changed");
                        }
                        yield kernel.skip(taskId, output, comment);
                    }
                    case COMPENSATE -> kernel.compensate(taskId, comment);
                });
    }

    @Override
    public JsonNode run(String runId) {
        return tree(kernel.run(runId));
    }

    @Override
    public JsonNode runs(int limit) {
        return tree(kernel.runPage(RunQuery.all().withLimit(limit)).items());
    }

    @Override
    public JsonNode playbooks() {
        return tree(kernel.playbooks());
    }

    @Override
    public JsonNode searchMemory(String query, Optional<String> subject, Optional<Integer> k) {
        try {
            return MemoryRoutes.search(
                    memory,
                    new MemoryQuery(
                            query,
                            subject,
                            EnumSet.noneOf(MemoryKind.class),
                            Optional.empty(),
                            Optional.empty(),
                            k.orElse(10)));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ToolFailure(e.getMessage());
        }
    }

    private static JsonNode tree(Object value) {
        return Json.mapper().valueToTree(value);
    }
}
