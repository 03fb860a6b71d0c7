package dev.aios.server;

/** The API could not listen on its port because another process holds it. */
public final class PortInUseException extends RuntimeException {
    private final int port;

    /** The port {@code port} is taken. */
    public PortInUseException(int port, Throwable cause) {
        super("port " + port + " is in use; pass --port N or stop the other process", cause);
        this.port = port;
    }

    /** The port that was taken. */
    public int port() {
        return port;
    }
}
