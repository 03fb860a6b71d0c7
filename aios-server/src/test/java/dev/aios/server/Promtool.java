package dev.aios.server;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;

/** Prometheus's command-line tool, which parses and lints the exposition format. */
final class Promtool {
    private Promtool() {}

    /**
     * Where promtool is. On CI (where {@code .ci/run} installs it) its absence fails the test; on a
     * developer's machine without it the test is skipped with how to install it.
     */
    static String find() {
        for (var dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            var candidate = Path.of(dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String how = "promtool is not installed: apt-get install prometheus (only its promtool is used)";
        if (System.getenv("CI") != null) {
            throw new AssertionError(how);
        }
        assumeThat(false).as(how).isTrue();
        throw new AssertionError(how);
    }
}
