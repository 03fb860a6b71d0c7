package dev.aios.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An agent defined by data inside a playbook, such as a prompt agent: a name its steps use, a kind
 * that says which plugged-in factory builds it (e.g. {@code prompt}), and the kind's own settings.
 * It belongs to the playbook version that declares it.
 *
 * @param name the agent's name, lower-case words joined by dashes
 * @param kind which factory builds it
 * @param spec the kind's settings, e.g. prompt template, model class, output schema
 */
public record AgentDeclaration(String name, String kind, JsonNode spec) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public AgentDeclaration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(spec, "spec");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "agent name '" + name + "' must be lower-case words joined by dashes, e.g. 'draft-proposal'");
        }
        if (!spec.isObject()) {
            throw new IllegalArgumentException("agent '" + name + "' settings must be a mapping");
        }
        spec = spec.deepCopy();
    }

    @Override
    public JsonNode spec() {
        return spec.deepCopy();
    }
}
