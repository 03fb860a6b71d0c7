package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Optional;

/** Small conversions the policy's messages and readers share. */
final class Text {
    private Text() {}

    /** A duration as the operator writes it: 90s, 15m, 4h, 3d. */
    static String duration(Duration d) {
        long seconds = d.toSeconds();
        if (seconds % 86_400 == 0 && seconds > 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0 && seconds > 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0 && seconds > 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    /** The value at a dotted path ({@code output.confidence}) in {@code root}, if it is there and not null. */
    static Optional<JsonNode> at(JsonNode root, String path) {
        JsonNode node = root;
        for (var part : path.split("\\.")) {
            node = node.path(part);
        }
        return node.isMissingNode() || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** A number at a dotted path, if there is one. */
    static Optional<Double> number(JsonNode root, String path) {
        return at(root, path).filter(JsonNode::isNumber).map(JsonNode::asDouble);
    }
}
