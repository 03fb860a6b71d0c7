package dev.aios.server.internal.mcp;

/** A tool call that could not be made; its message is the tool's error as the MCP client shows it. */
public final class ToolFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean missing;

    /** A failure that tells the caller what to do. */
    public ToolFailure(String message) {
        this(message, false);
    }

    /**
     * A failure that tells the caller what to do.
     *
     * @param missing whether it failed because what was asked for does not exist
     */
    public ToolFailure(String message, boolean missing) {
        super(message);
        this.missing = missing;
    }

    /** Whether it failed because what was asked for (a run, a task) does not exist. */
    public boolean missing() {
        return missing;
    }
}
