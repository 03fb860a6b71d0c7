package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.server.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Guards the MCP server's standard input: only lines that are JSON-RPC messages reach the protocol
 * library; anything else is answered with a JSON-RPC error (parse error, invalid request) and the
 * server goes on, rather than one bad line ending the session.
 */
final class McpWire {
    /** The longest line read; a longer one is answered with an error and skipped. */
    static final int MAX_LINE = 4 * 1024 * 1024;

    private final InputStream in;
    private final OutputStream out;

    /**
     * @param out the stream the protocol library writes to; errors are written under its lock, so
     *     lines never interleave
     */
    McpWire(InputStream in, OutputStream out) {
        this.in = in;
        this.out = out;
    }

    /** The checked input, fed by a background thread until {@code in} ends. */
    InputStream checked() {
        var pipe = new PipedInputStream(1024 * 1024);
        PipedOutputStream feed;
        try {
            feed = new PipedOutputStream(pipe);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.ofVirtual().name("aios-mcp-input").start(() -> pump(feed));
        return pipe;
    }

    private void pump(PipedOutputStream feed) {
        try (feed;
                var lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                var problem = check(line);
                if (problem == null) {
                    feed.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    feed.flush();
                }
            }
        } catch (IOException e) {
            // the client went away; the protocol library sees the end of its input
        }
    }

    /** Null when {@code line} may go on; otherwise the error already answered. */
    private String check(String line) throws IOException {
        if (line.length() > MAX_LINE) {
            return reply(null, -32600, "the message is longer than " + MAX_LINE + " characters");
        }
        JsonNode message;
        try {
            message = Json.mapper().readTree(line);
        } catch (IOException e) {
            return reply(null, -32700, "parse error: the line is not JSON");
        }
        if (message == null || !message.isObject()) {
            return reply(null, -32600, "invalid request: a message is a JSON object");
        }
        var id = message.get("id");
        if (!"2.0".equals(message.path("jsonrpc").asText())) {
            return reply(id, -32600, "invalid request: jsonrpc must be \"2.0\"");
        }
        boolean request = message.path("method").isTextual();
        boolean response = id != null && (message.has("result") || message.has("error"));
        if (!request && !response) {
            return reply(id, -32600, "invalid request: a message has a method, or an id with a result or error");
        }
        if (id != null && !id.isTextual() && !id.isIntegralNumber() && !id.isNull()) {
            return reply(null, -32600, "invalid request: an id is a string or a whole number");
        }
        if (message.has("params")
                && !message.get("params").isObject()
                && !message.get("params").isArray()) {
            return reply(id, -32602, "invalid params: params is an object");
        }
        return null;
    }

    private String reply(JsonNode id, int code, String text) throws IOException {
        ObjectNode answer = Json.mapper().createObjectNode().put("jsonrpc", "2.0");
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            answer.putNull("id");
        } else {
            answer.set("id", id);
        }
        answer.putObject("error").put("code", code).put("message", text);
        var bytes = (Json.mapper().writeValueAsString(answer) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
        return text;
    }
}
