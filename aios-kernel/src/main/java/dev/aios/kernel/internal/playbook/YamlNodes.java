package dev.aios.kernel.internal.playbook;

import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookException.Problem;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed values out of a composed YAML document, remembering each path's line and collecting
 * every problem instead of stopping at the first. One instance per document.
 */
final class YamlNodes {

    private final String source;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, Integer> lines = new HashMap<>();

    YamlNodes(String source) {
        this.source = source;
    }

    boolean hasProblems() {
        return !problems.isEmpty();
    }

    int problemCount() {
        return problems.size();
    }

    PlaybookException failure() {
        var sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(Problem::line));
        return new PlaybookException(sorted);
    }

    SourceMap sourceMap() {
        return new SourceMap(lines);
    }

    void problem(int line, String message) {
        problems.add(new Problem(source, line, message));
    }

    void problem(Node node, String message) {
        problem(line(node), message);
    }

    void mark(String path, Node node) {
        lines.putIfAbsent(path, line(node));
    }

    /** The line of {@code path} if it was marked (a key's line), else where {@code node} starts. */
    int line(String path, Node node) {
        return lines.getOrDefault(path, line(node));
    }

    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * The entries of a mapping in order, keeping only {@code allowed} keys (all keys when it is
     * empty) and reporting the others; empty when {@code node} is not a mapping.
     */
    Optional<Map<String, Node>> mapping(Node node, String path, Collection<String> allowed, String allowedWhat) {
        if (!(node instanceof MappingNode mapping)) {
            problem(node, name(path) + " must be a mapping of keys to values, not " + describe(node));
            return Optional.empty();
        }
        var entries = new LinkedHashMap<String, Node>();
        for (var tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                problem(tuple.getKeyNode(), name(path) + " has a key that is not a name; use plain names as keys");
                continue;
            }
            var key = keyNode.getValue();
            if (entries.containsKey(key)) {
                problem(keyNode, name(path) + " has the key '" + key + "' twice; keep one");
            } else if (!allowed.isEmpty() && !allowed.contains(key)) {
                problem(
                        keyNode,
                        name(path) + ": unknown key '" + key + "'" + Names.didYouMean(key, allowed) + "; " + allowedWhat
                                + " allows " + String.join(", ", allowed));
            } else {
                entries.put(key, tuple.getValueNode());
                mark(join(path, key), keyNode);
            }
        }
        return Optional.of(entries);
    }

    /** A plain text value; empty when absent or null, or (reported) when not a single value. */
    Optional<String> text(Node node, String path) {
        if (!(node instanceof ScalarNode scalar)) {
            problem(node, path + " must be a single value, not " + describe(node));
            return Optional.empty();
        }
        if (scalar.getTag().equals(Tag.NULL) || scalar.getValue().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(scalar.getValue().strip());
    }

    Optional<String> optionalText(Map<String, Node> entries, String key, String path) {
        var node = entries.get(key);
        return node == null ? Optional.empty() : text(node, join(path, key));
    }

    /** A text value that must be present and not empty; {@code hint} says what to write. */
    Optional<String> requiredText(Map<String, Node> entries, String key, String path, Node parent, String hint) {
        var node = entries.get(key);
        if (node == null) {
            problem(line(path, parent), name(path) + ": missing '" + key + "'; " + hint);
            return Optional.empty();
        }
        var value = text(node, join(path, key));
        if (value.isEmpty() && node instanceof ScalarNode) {
            problem(node, join(path, key) + " is empty; " + hint);
        }
        return value;
    }

    /**
     * A CEL expression. Quoted and plain text is taken as written; YAML numbers, booleans, null and
     * dates become the equivalent CEL literal, so {@code budget: 100} means the int 100.
     */
    Optional<String> cel(Node node, String path) {
        if (!(node instanceof ScalarNode scalar)) {
            problem(
                    node,
                    path + " must be a CEL expression on one line, not " + describe(node)
                            + "; for a map or list write a CEL literal in quotes, e.g. \"{'name': event.subject}\"");
            return Optional.empty();
        }
        var text = scalar.getValue().strip();
        var tag = scalar.getTag();
        if (tag.equals(Tag.NULL)) {
            return Optional.of("null");
        } else if (tag.equals(Tag.BOOL)) {
            return Optional.of(List.of("true", "yes", "on").contains(text.toLowerCase(Locale.ROOT)) ? "true" : "false");
        } else if (tag.equals(Tag.INT)) {
            return Optional.of(intLiteral(text));
        } else if (tag.equals(Tag.FLOAT)) {
            return Optional.of(floatLiteral(text));
        } else if (tag.equals(Tag.TIMESTAMP)) {
            return Optional.of(quote(text));
        }
        if (text.isEmpty()) {
            problem(node, path + " is empty; write a CEL expression, e.g. event.subject");
            return Optional.empty();
        }
        return Optional.of(text);
    }

    Optional<String> optionalCel(Map<String, Node> entries, String key, String path) {
        var node = entries.get(key);
        return node == null ? Optional.empty() : cel(node, join(path, key));
    }

    Optional<String> requiredCel(Map<String, Node> entries, String key, String path, Node parent, String hint) {
        var node = entries.get(key);
        if (node == null) {
            problem(line(path, parent), name(path) + ": missing '" + key + "'; " + hint);
            return Optional.empty();
        }
        return cel(node, join(path, key));
    }

    /** A mapping of names to CEL expressions, such as an agent's input, in the order written. */
    Map<String, String> celMap(Node node, String path) {
        var result = new LinkedHashMap<String, String>();
        mapping(node, path, List.of(), "")
                .ifPresent(entries -> entries.forEach(
                        (key, value) -> cel(value, join(path, key)).ifPresent(cel -> result.put(key, cel))));
        return result;
    }

    /** The items of a list; empty (and reported) when {@code node} is not a list. */
    Optional<List<Node>> sequence(Node node, String path, String hint) {
        if (node instanceof SequenceNode sequence) {
            return Optional.of(sequence.getValue());
        }
        problem(node, path + " must be a list of items each starting with '- ', not " + describe(node) + "; " + hint);
        return Optional.empty();
    }

    static String describe(Node node) {
        return switch (node.getNodeId()) {
            case scalar -> "the single value '" + ((ScalarNode) node).getValue() + "'";
            case sequence -> "a list";
            case mapping -> "a mapping";
            case anchor -> "an anchor";
        };
    }

    private static String name(String path) {
        return path.isEmpty() ? "the playbook" : path;
    }

    private static String intLiteral(String yaml) {
        var text = yaml.replace("_", "");
        if (text.matches("[-+]?(0|[1-9][0-9]*|0x[0-9a-fA-F]+)")) {
            return text.startsWith("+") ? text.substring(1) : text;
        }
        try {
            var negative = text.startsWith("-");
            var digits = text.replaceFirst("^[-+]", "");
            var value = digits.startsWith("0b")
                    ? new BigInteger(digits.substring(2), 2)
                    : new BigInteger(digits.replaceFirst("^0o?", ""), 8);
            return (negative ? value.negate() : value).toString();
        } catch (NumberFormatException e) {
            return quote(yaml);
        }
    }

    private static String floatLiteral(String yaml) {
        var text = yaml.replace("_", "");
        var lower = text.toLowerCase(Locale.ROOT);
        if (lower.matches("[-+]?\\.inf")) {
            return lower.startsWith("-") ? "-double('Infinity')" : "double('Infinity')";
        } else if (lower.equals(".nan")) {
            return "double('NaN')";
        } else if (text.matches(
                "[-+]?([0-9]+\\.[0-9]+([eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+|\\.[0-9]+([eE][-+]?[0-9]+)?)")) {
            return text.startsWith("+") ? text.substring(1) : text;
        }
        try {
            return Double.toString(Double.parseDouble(text));
        } catch (NumberFormatException e) {
            return quote(yaml);
        }
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
