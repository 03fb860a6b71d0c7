package dev.aios.models.internal;

import dev.aios.api.AgentDeclaration;
import dev.aios.api.JsonAgent;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.spi.AgentFactory;
import java.util.Set;

/** Builds the prompt agents ({@code kind: prompt}) that playbooks declare. */
public final class PromptAgentFactory implements AgentFactory {
    private final Providers providers;
    private final Set<String> classes;

    public PromptAgentFactory(ModelGateway gateway) {
        this.providers = gateway.providers();
        this.classes = gateway.settings.classes().keySet();
    }

    @Override
    public String kind() {
        return "prompt";
    }

    @Override
    public JsonAgent create(AgentDeclaration declaration, PlaybookRef playbook) {
        return new PromptAgent(PromptSpec.parse(declaration, classes), providers.names());
    }
}
