package dev.aios.server.internal.cli;

/** A command that cannot go on: its message is printed on one line and the process exits with the code. */
final class CliException extends RuntimeException {
    /** Exit code for a failure: the server refused, is not there, or the data is not right. */
    static final int FAILED = 1;
    /** Exit code for a command line that is not right, as picocli uses for usage errors. */
    static final int USAGE = 2;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
