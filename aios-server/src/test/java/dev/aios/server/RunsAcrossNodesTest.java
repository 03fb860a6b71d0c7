package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.policy.PolicyExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes sharing one PostgreSQL database: a wait through one node for a run the other ends, and
 * the policy observing each run once, not once a node.
 */
class RunsAcrossNodesTest {
    @RegisterExtension
    static final OnePostgres POSTGRES = new OnePostgres();

    @TempDir
    Path dir;

    record Person(String name) {}

    record Greeting(String text) {}

    /** Says hello. */
    public static final class Greeter implements Agent<Person, Greeting> {
        @Override
        public Contract<Person, Greeting> contract() {
            return Contract.of("greeter", "1", Person.class, Greeting.class);
        }

        @Override
        public Greeting run(Person input, AgentContext context) {
            return new Greeting("Hello, " + input.name());
        }
    }

    @Test
    void aWaitThroughOneNodeForARunTheOtherNodeEndsReturnsWhenTheRunEnds() throws Exception {
        String url = POSTGRES.newDatabase("runs_waited");
        try (var a = open(url, dir.resolve("a"));
                var b = open(url, dir.resolve("b"))) {
            for (int i = 0; i < 3; i++) {
                // Sent through b, whose worker takes the run's step as it starts.
                String run = b.kernel().send(met("waited-" + i)).started().getFirst();
                long waiting = System.nanoTime();
                var ended = a.kernel().awaitEnd(run, Duration.ofSeconds(60));
                assertThat(ended.status()).isEqualTo(RunStatus.COMPLETED);
                // Before, the wait lasted its whole minute: only this node's own commits woke it.
                assertThat(Duration.ofNanos(System.nanoTime() - waiting))
                        .as("waited for run %d", i)
                        .isLessThan(Duration.ofSeconds(20));
            }
        }
    }

    @Test
    void runsThroughTwoNodesAreEachObservedOnceByThePolicy() throws Exception {
        String url = POSTGRES.newDatabase("policy_nodes");
        int runs = 60;
        try (var a = open(url, dir.resolve("a"));
                var b = open(url, dir.resolve("b"));
                var senders = Executors.newFixedThreadPool(4)) {
            var nodes = new Node[] {a, b};
            var started = new ArrayList<Future<String>>();
            for (int i = 0; i < runs; i++) {
                var node = nodes[i % 2];
                var event = met("met-" + i);
                started.add(
                        senders.submit(() -> node.kernel().send(event).started().getFirst()));
            }
            for (var run : started) {
                assertThat(a.kernel().awaitEnd(run.get(), Duration.ofMinutes(1)).status())
                        .isEqualTo(RunStatus.COMPLETED);
            }
            // Both observers read what the kernel recorded, each woken by its own node's commits.
            var settled = new ArrayList<Future<?>>();
            for (var node : nodes) {
                settled.add(senders.submit(() -> node.policy().settle()));
            }
            for (var settle : settled) {
                settle.get();
            }
            a.policy().settle();
            b.policy().settle();
        }
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM policy_observations WHERE metric = 'run'"))
                .as("runs started, as observed")
                .isEqualTo(runs);
        assertThat(OnePostgres.count(url, "SELECT count(*) FROM policy_observations WHERE metric = 'latency'"))
                .as("runs completed, as observed")
                .isEqualTo(runs);
    }

    private static Event met(String id) {
        return new Event(
                id,
                "person.met",
                "acme",
                "test",
                Instant.now(),
                JsonNodeFactory.instance.objectNode().put("name", "Ada " + id),
                "",
                "");
    }

    /** A node: its kernel and its policy. */
    private record Node(Kernel kernel, PolicyExtension policy) implements AutoCloseable {
        @Override
        public void close() {
            kernel.close();
        }
    }

    private static Node open(String url, Path data) throws IOException {
        OnePostgres.sameMasterKey(data);
        var playbooks = data.resolve("playbooks");
        Files.createDirectories(playbooks);
        Files.writeString(playbooks.resolve("greet.yaml"), """
                name: greeting
                trigger: { event: person.met }
                steps:
                  - id: greet
                    agent: greeter
                    input: { name: event.data.name }
                """);
        var policy = PolicyExtension.builder().build();
        var kernel = Kernel.builder()
                .dataDirectory(data)
                .database(url)
                .agent(new Greeter())
                .playbookDirectory(playbooks)
                .extension(policy)
                .build();
        kernel.start();
        return new Node(kernel, policy);
    }
}
