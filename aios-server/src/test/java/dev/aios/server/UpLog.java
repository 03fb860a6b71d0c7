package dev.aios.server;

import dev.aios.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/** The output of an {@code aios up} started as a process of its own: what it said, and where it listens. */
final class UpLog {
    private static final Pattern UP = Pattern.compile("is up at http://localhost:(\\d+)");

    private UpLog() {}

    /**
     * The port of the {@code aios up} writing to {@code log}, once its banner says it (at most two
     * minutes; the failure then shows the log).
     *
     * @param who the process, as the failure names it
     */
    static String port(Path log, String who) {
        return Poll.until(
                who + " to say where it listens",
                () -> {
                    var matcher = UP.matcher(read(log));
                    return matcher.find() ? matcher.group(1) : "";
                },
                found -> !found.isEmpty(),
                Duration.ofMinutes(2),
                () -> read(log));
    }

    /** What {@code log} holds so far; empty before it exists. */
    static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
