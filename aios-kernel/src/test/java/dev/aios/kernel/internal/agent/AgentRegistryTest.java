package dev.aios.kernel.internal.agent;

import static dev.aios.kernel.internal.agent.RecordSchemasTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.internal.agent.TestAgents.FixedContext;
import dev.aios.kernel.internal.agent.TestAgents.Score;
import dev.aios.kernel.internal.agent.TestAgents.ScriptedAgent;
import dev.aios.kernel.internal.agent.TestAgents.Tier;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentRegistryTest {

    private final AgentRegistry registry = new AgentRegistry();

    private static ScriptedAgent agent(String name) {
        return new ScriptedAgent(name, (lead, ctx) -> new Score(1, "ok", Tier.HOT, Optional.empty()));
    }

    @Test
    void findsRegisteredAgentsByName() {
        AgentBinding binding = registry.register(agent("qualify-lead"));
        registry.register(agent("draft-proposal"));

        assertThat(registry.find("qualify-lead")).containsSame(binding);
        assertThat(registry.find("send-invoice")).isEmpty();
        assertThat(registry.names()).containsExactly("draft-proposal", "qualify-lead");
    }

    @Test
    void describesEveryAgentSortedByName() {
        registry.register(agent("qualify-lead"));
        registry.register(new DiscoverableEchoAgent());

        List<AgentInfo> infos = registry.infos();

        assertThat(infos).extracting(AgentInfo::name).containsExactly("kernel-test-echo", "qualify-lead");
        AgentInfo echo = infos.get(0);
        assertThat(echo.version()).isEqualTo("2.1.0");
        assertThat(echo.description()).isEqualTo("Echoes its input; used by the kernel's agent registry tests");
        assertThat(echo.inputSchema()).isEqualTo(RecordSchemas.of(DiscoverableEchoAgent.Text.class));
        assertThat(echo.outputSchema().at("/required/0").asText()).isEqualTo("text");
        assertThat(echo.preconditions()).containsExactly("input.text != ''");
        assertThat(echo.effects()).containsExactly("none");
        assertThat(echo.timeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void refusesASecondAgentWithATakenName() {
        registry.register(agent("qualify-lead"));

        assertThatThrownBy(() -> registry.register(agent("qualify-lead")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("agent 'qualify-lead' is registered twice: by " + ScriptedAgent.class.getName()
                        + " and by " + ScriptedAgent.class.getName()
                        + "; give one of them another name in its contract, or register it once");
    }

    @Test
    void refusesAgentsOfDifferentClassesWithOneName() {
        registry.register(new DiscoverableEchoAgent());

        assertThatThrownBy(() -> registry.register(agent("kernel-test-echo")))
                .hasMessageStartingWith("agent 'kernel-test-echo' is registered twice: by "
                        + DiscoverableEchoAgent.class.getName() + " and by " + ScriptedAgent.class.getName());
        assertThat(registry.find("kernel-test-echo").orElseThrow().agent()).isInstanceOf(DiscoverableEchoAgent.class);
    }

    @Test
    void discoversAgentsListedAsServices() throws Exception {
        List<String> found = registry.discover(getClass().getClassLoader());

        assertThat(found).containsExactly("kernel-test-echo");
        AgentBinding echo = registry.find("kernel-test-echo").orElseThrow();
        assertThat(echo.call(json("{'text':'hello'}"), new FixedContext(Instant.EPOCH)))
                .isEqualTo(json("{'text':'hello'}"));
    }

    @Test
    void discoveringAgainFindsTheSameNamesTaken() {
        registry.discover(getClass().getClassLoader());

        assertThatThrownBy(() -> registry.discover(getClass().getClassLoader()))
                .hasMessageStartingWith("agent 'kernel-test-echo' is registered twice");
    }

    @Test
    void namesAListedClassThatCannotBeCreatedAndRegistersNothing(@TempDir Path dir) throws IOException {
        ClassLoader loader = servicesListing(dir, DiscoverableEchoAgent.class.getName(), FailingAgent.class.getName());

        assertThatThrownBy(() -> registry.discover(loader))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("agent class " + FailingAgent.class.getName())
                .hasMessageContaining("could not be created: java.lang.IllegalStateException: missing API key")
                .hasMessageContaining("give it a public no-argument constructor");
        assertThat(registry.names()).isEmpty();
    }

    @Test
    void namesAListedClassThatDoesNotExist(@TempDir Path dir) throws IOException {
        ClassLoader loader = servicesListing(dir, "com.example.NoSuchAgent");

        assertThatThrownBy(() -> registry.discover(loader))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("com.example.NoSuchAgent")
                .hasMessageContaining("fix the class name or remove it from that file");
    }

    @Test
    void readsSafelyWhileAnotherThreadRegisters() throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> writer = threads.submit(() -> {
                start.await();
                for (int i = 0; i < 200; i++) {
                    registry.register(agent("agent-" + i));
                }
                return null;
            });
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 300; i++) {
                        Set<String> names = registry.names();
                        // A snapshot: every name it holds can be found, and infos agree with it.
                        for (String name : names) {
                            assertThat(registry.find(name)).isPresent();
                        }
                        assertThat(registry.infos().size()).isGreaterThanOrEqualTo(names.size());
                    }
                    return null;
                }));
            }
            start.countDown();
            writer.get();
            for (Future<?> reader : readers) {
                reader.get();
            }
        }
        assertThat(registry.names()).hasSize(200);
    }

    /** A class loader that sees the test's classes but only the services file written to {@code dir}. */
    private static ClassLoader servicesListing(Path dir, String... agentClasses) throws IOException {
        Path listing = dir.resolve("dev.aios.api.Agent");
        Files.writeString(listing, String.join("\n", agentClasses));
        URL url = listing.toUri().toURL();
        return new ClassLoader(AgentRegistryTest.class.getClassLoader()) {
            @Override
            public Enumeration<URL> getResources(String name) throws IOException {
                return name.equals("META-INF/services/dev.aios.api.Agent")
                        ? Collections.enumeration(List.of(url))
                        : super.getResources(name);
            }
        };
    }
}
