package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stateful agent declared in a playbook ends its instance with {@code end:}, a condition over the
 * state it returned and the message it handled, as a Java agent does with {@code ctx.end()}.
 */
class DeclaredStatefulAgentTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-03-02T09:00:00Z"));
    Kernel kernel;

    @BeforeEach
    void playbooks() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
    }

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    void open() {
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(new StatefulAgentTest.Tallies())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
    }

    void tell(String subject, String text) {
        var data = JSON.createObjectNode().put("to", "agent/tally").put("text", text);
        kernel.send(new dev.aios.api.Event(
                UUID.randomUUID().toString(), "note.taken", subject, "test", clock.instant(), data, "", ""));
    }

    AgentInstanceView awaitEnded(String subject) {
        return Eventually.await(
                () -> kernel.agentInstance("tally", subject, 10),
                v -> v.instance().endedAt().isPresent(),
                Duration.ofSeconds(90));
    }

    MessageStatus status(AgentInstanceView view, String text) {
        return view.messages().stream()
                .filter(m -> m.body().path("text").asText().equals(text))
                .findFirst()
                .orElseThrow()
                .status();
    }

    @Test
    void anInstanceEndsWhenItsEndConditionHoldsOverTheNewStateOrTheMessage() throws Exception {
        Files.writeString(dir.resolve("playbooks/p.yaml"), """
                name: counting
                trigger: thing.seen
                agents:
                  - name: tally
                    kind: tally
                    stateful: true
                    end: state.count >= 3 || message.text == 'bye'
                steps:
                  - id: idle
                    wait: { for: 1s }
                """);
        open();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        for (var text : List.of("a", "bye", "after bye")) {
            tell("acme", text);
        }
        for (var text : List.of("a", "b", "c", "d")) {
            tell("globex", text);
        }

        var acme = awaitEnded("acme");
        assertThat(acme.state().path("count").asInt())
                .as("the message that met the condition was handled")
                .isEqualTo(2);
        assertThat(acme.state().path("last").asText()).isEqualTo("bye");
        var globex = awaitEnded("globex");
        assertThat(globex.state().path("count").asInt())
                .as("the state that met the condition is the final one")
                .isEqualTo(3);

        var acmeLater = Eventually.await(
                () -> kernel.agentInstance("tally", "acme", 10),
                v -> v.messages().size() == 3 && status(v, "after bye") != MessageStatus.QUEUED,
                Duration.ofSeconds(90));
        assertThat(status(acmeLater, "after bye"))
                .as("a message after the end is kept, not handled")
                .isEqualTo(MessageStatus.DROPPED);
        var globexLater = Eventually.await(
                () -> kernel.agentInstance("tally", "globex", 10),
                v -> v.messages().size() == 4 && status(v, "d") != MessageStatus.QUEUED,
                Duration.ofSeconds(90));
        assertThat(status(globexLater, "d")).isEqualTo(MessageStatus.DROPPED);
        assertThat(globexLater.state().path("count").asInt()).isEqualTo(3);
        assertThat(kernel.verify().problems()).isEmpty();

        kernel.forget("acme");
        tell("acme", "hello again");
        var fresh = Eventually.await(
                () -> kernel.agentInstance("tally", "acme", 10),
                v -> v.state().path("count").asInt() == 1,
                Duration.ofSeconds(90));
        assertThat(fresh.instance().endedAt())
                .as("once forgotten, a message starts a new instance")
                .isEmpty();
    }

    @Test
    void anEndConditionThatCannotWorkIsRefusedWithItsLine() throws Exception {
        Files.writeString(dir.resolve("playbooks/p.yaml"), """
                name: counting
                trigger: thing.seen
                agents:
                  - name: plain-tally
                    kind: tally
                    end: state.count > 1
                  - name: run-tally
                    kind: tally
                    stateful: true
                    end: steps.idle.done
                  - name: text-tally
                    kind: tally
                    stateful: true
                    end: "'done'"
                steps:
                  - id: idle
                    wait: { for: 1s }
                """);
        open();

        assertThat(kernel.lastLoad().refused())
                .extracting(p -> p.line() + ": " + p.message())
                .containsExactly(
                        "4: agents[0].end: agent 'plain-tally' is not stateful, so it has no instance to"
                                + " end; add stateful: true or remove end",
                        "7: agents[1].end: `steps.idle.done` uses steps; an end condition sees only state"
                                + " (what the agent returned for the message) and message (the message it handled)",
                        "11: agents[2].end: `'done'` yields string, but this must be true or false; write a"
                                + " condition such as x > 0");
        assertThat(kernel.playbooks())
                .as("the file is refused whole")
                .noneMatch(p -> p.name().equals("counting") && p.active());
    }
}
