package dev.aios.server.internal.mcp;

/** A tool call that could not be made; its message is the tool's error as the MCP client shows it. */
public final class ToolFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure that tells the caller what to do. */
    public ToolFailure(String message) {
        super(message);
    }
}
