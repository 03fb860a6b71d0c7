package dev.aios.kernel.internal.agent;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.time.Duration;

/** Listed in the test {@code META-INF/services/dev.aios.api.Agent}; found by {@link AgentRegistryTest}. */
public final class DiscoverableEchoAgent implements Agent<DiscoverableEchoAgent.Text, DiscoverableEchoAgent.Text> {

    /** Input and output: a line of text. */
    public record Text(String text) {}

    @Override
    public Contract<Text, Text> contract() {
        return Contract.of("kernel-test-echo", "2.1.0", Text.class, Text.class)
                .withDescription("Echoes its input; used by the kernel's agent registry tests")
                .withPreconditions("input.text != ''")
                .withEffects("none")
                .withTimeout(Duration.ofSeconds(3));
    }

    @Override
    public Text run(Text input, AgentContext context) {
        return new Text(input.text());
    }
}
