package dev.aios.server.internal.cli;

/** A command that cannot go on: its message is printed on one line and the process exits with the code. */
final class CliException extends RuntimeException {
    /** Exit code for a failure: the server refused, is not there, or the data is not right. */
    static final int FAILED = 1;
    /** Exit code for a command line that is not right, as picocli uses for usage errors. */
    static final int USAGE = 2;

    private final int exitCode;
    private final int status;

    CliException(int exitCode, String message) {
        this(exitCode, message, 0);
    }

    /** A failure the server answered with HTTP {@code status}. */
    CliException(int exitCode, String message, int status) {
        super(message);
        this.exitCode = exitCode;
        this.status = status;
    }

    int exitCode() {
        return exitCode;
    }

    /** The HTTP status the server answered, or 0 when the failure is not the server's answer. */
    int status() {
        return status;
    }
}
