package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.server.internal.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Prints what-if replays and playbook comparisons, and reads the version they are against. */
final class WhatIfPrinter {
    private WhatIfPrinter() {}

    /**
     * The request body naming a version: {@code {field: "NAME@VERSION"}}, or, when {@code reference}
     * is a YAML file, {@code {yaml, origin}} with its text.
     */
    static ObjectNode target(String field, String reference) {
        var body = Json.mapper().createObjectNode();
        var file = Path.of(reference);
        if (reference.endsWith(".yaml") || reference.endsWith(".yml") || Files.isRegularFile(file)) {
            try {
                body.put("yaml", Files.readString(file));
            } catch (IOException e) {
                throw new CliException(
                        CliException.USAGE, "cannot read playbook file " + reference + ": " + e.getMessage());
            }
            body.put("origin", file.getFileName().toString());
        } else {
            body.put(field, reference);
        }
        return body;
    }

    static void print(PrintWriter out, JsonNode report) {
        out.println("run " + Text.field(report, "runId") + " (" + Text.field(report, "playbook") + "@"
                + Text.shortVersion(Text.field(report, "recordedVersion")) + ", "
                + Text.field(report, "recordedOutcome") + ") against version "
                + Text.shortVersion(Text.field(report, "againstVersion")) + ": " + headline(report));
        for (var divergence : report.path("divergences")) {
            var step = Text.field(divergence, "step");
            out.println("  " + (step.isEmpty() ? "(run)" : step) + "  " + Text.field(divergence, "kind") + "  "
                    + Text.field(divergence, "detail"));
        }
    }

    private static String headline(JsonNode report) {
        int steps = report.path("stepsCompared").asInt();
        return switch (Text.field(report, "outcome")) {
            case "same" -> "the same, " + steps + " steps compared";
            case "stopped" -> "stopped after " + steps + " steps; the new version needs what the run never recorded";
            default -> "diverges (" + report.path("divergences").size() + " differences in " + steps + " steps)";
        };
    }

    static void printDiff(PrintWriter out, JsonNode diff) {
        out.println(Text.field(diff, "playbook") + " " + Text.shortVersion(Text.field(diff, "from")) + " -> "
                + Text.shortVersion(Text.field(diff, "to")));
        steps(out, "added", diff.path("added"));
        steps(out, "removed", diff.path("removed"));
        steps(out, "changed", diff.path("changed"));
        var runs = diff.path("runs");
        int differing = 0;
        for (var run : runs) {
            if (!Text.field(run, "outcome").equals("same")) {
                differing++;
            }
        }
        out.println(differing + " of the last " + runs.size() + " finished runs would behave differently"
                + (differing == 0 ? "" : ":"));
        for (var run : runs) {
            if (!Text.field(run, "outcome").equals("same")) {
                print(out, run);
            }
        }
    }

    private static void steps(PrintWriter out, String what, JsonNode paths) {
        if (!paths.isEmpty()) {
            var names = new java.util.ArrayList<String>();
            paths.forEach(p -> names.add(p.asText()));
            out.println("  steps " + what + ": " + String.join(", ", names));
        }
    }
}
