package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.spi.PlaybookSource;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class DesignStudioPlaybooksTest {

    @Test
    void theBundledPlaybookIsFoundOnTheClassPathWithItsOrigin() {
        var texts = ServiceLoader.load(PlaybookSource.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(DesignStudioPlaybooks.class::isInstance)
                .flatMap(source -> source.playbooks().stream())
                .toList();

        assertThat(texts).singleElement().satisfies(text -> {
            assertThat(text.origin()).isEqualTo("classpath:playbooks/design-subscription.yaml");
            assertThat(text.yaml()).contains("name: design-subscription");
        });
    }

    @Test
    void everyAgentIsRegisteredForDiscovery() {
        var names = ServiceLoader.load(Agent.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(agent -> agent.getClass().getPackageName().equals("dev.aios.examples"))
                .map(agent -> agent.contract().name())
                .toList();

        assertThat(names)
                .containsExactlyInAnyOrder(
                        "qualify-lead",
                        "create-project",
                        "send-reminder",
                        "queue-invoice",
                        "draft-follow-up",
                        "client-account");
    }
}
