package dev.aios.kernel.internal.playbook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/** Plain YAML data (mappings, lists, scalars) as JSON, for settings the kernel hands on unread. */
final class YamlJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private YamlJson() {}

    static JsonNode of(Node node) {
        return switch (node) {
            case MappingNode mapping -> {
                var object = JSON.objectNode();
                for (var tuple : mapping.getValue()) {
                    String key = tuple.getKeyNode() instanceof ScalarNode scalar
                            ? scalar.getValue()
                            : String.valueOf(of(tuple.getKeyNode()));
                    object.set(key, of(tuple.getValueNode()));
                }
                yield object;
            }
            case SequenceNode sequence -> {
                var array = JSON.arrayNode();
                sequence.getValue().forEach(item -> array.add(of(item)));
                yield array;
            }
            case ScalarNode scalar -> scalar(scalar);
            default -> JSON.textNode(String.valueOf(node));
        };
    }

    private static JsonNode scalar(ScalarNode scalar) {
        String value = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (tag.equals(Tag.NULL)) {
                return JSON.nullNode();
            }
            if (tag.equals(Tag.BOOL)) {
                return JSON.booleanNode(value.equalsIgnoreCase("true")
                        || value.equalsIgnoreCase("yes")
                        || value.equalsIgnoreCase("on"));
            }
            if (tag.equals(Tag.INT)) {
                return JSON.numberNode(new BigInteger(value.replace("_", "")));
            }
            if (tag.equals(Tag.FLOAT)) {
                return JSON.numberNode(new BigDecimal(value.replace("_", "")));
            }
        } catch (NumberFormatException e) {
            // a number YAML recognizes that Java does not (e.g. 0x1f, .inf): keep the text
        }
        return JSON.textNode(value);
    }
}
