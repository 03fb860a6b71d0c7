package dev.aios.kernel.internal.agent;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;

/** An agent whose constructor fails; listed only in a services file written by a test. */
public final class FailingAgent implements Agent<DiscoverableEchoAgent.Text, DiscoverableEchoAgent.Text> {

    public FailingAgent() {
        throw new IllegalStateException("missing API key");
    }

    @Override
    public Contract<DiscoverableEchoAgent.Text, DiscoverableEchoAgent.Text> contract() {
        throw new UnsupportedOperationException();
    }

    @Override
    public DiscoverableEchoAgent.Text run(DiscoverableEchoAgent.Text input, AgentContext context) {
        throw new UnsupportedOperationException();
    }
}
