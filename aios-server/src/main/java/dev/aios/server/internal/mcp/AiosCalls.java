package dev.aios.server.internal.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * What the MCP tools and resources ask of aios, answered either by a running server's API (the
 * stdio server, with the caller's token) or by the kernel itself (the {@code /mcp} endpoint, after
 * the caller's token was checked). A call that cannot be made throws an exception whose message is
 * shown to the MCP client as the tool's error.
 */
public interface AiosCalls {
    /** Sends an event in the shape {@code POST /api/events} takes; answers what was started. */
    JsonNode sendEvent(ObjectNode event);

    /** The open tasks, or all tasks when {@code all}. */
    JsonNode tasks(boolean all);

    /**
     * Answers task {@code taskId}.
     *
     * @param answer approve, reject, retry, skip or compensate
     * @param output the edited output (approve) or the output to go on with (skip)
     */
    JsonNode answer(String taskId, Answer answer, String comment, Optional<JsonNode> output);

    /** Run {@code runId} with its steps, outputs, errors and tasks. */
    JsonNode run(String runId);

    /** The newest runs, at most {@code limit}. */
    JsonNode runs(int limit);

    /** The active playbooks. */
    JsonNode playbooks();

    /** Memory items matching {@code query}, of {@code subject} if given, at most {@code k}. */
    JsonNode searchMemory(String query, Optional<String> subject, Optional<Integer> k);

    /** How a task is answered. */
    enum Answer {
        APPROVE("approve"),
        REJECT("reject"),
        RETRY("retry"),
        SKIP("skip"),
        COMPENSATE("compensate");

        private final String wire;

        Answer(String wire) {
            this.wire = wire;
        }

        /** The answer's name in the tool's arguments and in the API's path. */
        public String wire() {
            return wire;
        }

        /** The answer named {@code wire}. */
        public static Answer fromWire(String wire) {
            for (var answer : values()) {
                if (answer.wire.equals(wire)) {
                    return answer;
                }
            }
            throw new ToolFailure("answer must be approve, reject, retry, skip or compensate, was '" + wire + "'");
        }
    }
}
