package dev.aios.server.internal.console;

import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.AgentInstance;
import java.util.List;

/**
 * The stateful agents and their instances, one per subject.
 *
 * @param frame the page's frame
 * @param agents each stateful agent with its instances
 * @param others how many agents are not stateful (they have no instances)
 */
public record AgentsPage(Frame frame, List<Agent> agents, int others) {

    /**
     * A stateful agent.
     *
     * @param info its contract
     * @param instances its instances, by subject
     */
    public record Agent(AgentInfo info, List<AgentInstance> instances) {}

    /** An instant as the console prints it (UTC), e.g. {@code 2026-03-02 09:00:00}. */
    public static String at(java.time.Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                .toString()
                .replace('T', ' ')
                .replace("Z", "");
    }
}
