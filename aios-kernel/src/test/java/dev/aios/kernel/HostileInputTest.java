package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.api.Event;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Playbooks and events written to hurt: none of them stalls the kernel, loops it without end or
 * switches a working playbook off, and each is refused or stopped with a message that says why.
 */
class HostileInputTest {
    @TempDir
    Path dir;

    private Kernel kernel;

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
        }
    }

    private Kernel start(Kernel.Builder builder) throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        kernel = builder.dataDirectory(dir.resolve("data"))
                .agent(new KernelTest.Reminder())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        return kernel;
    }

    private Kernel start() throws Exception {
        return start(Kernel.builder());
    }

    private void playbook(String file, String yaml) throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks").resolve(file), yaml);
    }

    private static Event event(String type, JsonNode data) {
        return new Event(UUID.randomUUID().toString(), type, "acme", "test", Instant.now(), data, "", "");
    }

    private static ObjectNode data() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** A CEL condition that doubles a string {@code levels} times with nested cel.bind. */
    static String doubling(int levels) {
        var source = new StringBuilder("cel.bind(v0, 'xxxxxxxxxxxxxxxx', ");
        for (int i = 1; i <= levels; i++) {
            source.append("cel.bind(v")
                    .append(i)
                    .append(", v")
                    .append(i - 1)
                    .append(" + v")
                    .append(i - 1)
                    .append(", ");
        }
        return source.append("size(v")
                .append(levels)
                .append(") > 0")
                .append(")".repeat(levels + 1))
                .toString();
    }

    @Test
    void aTriggerConditionThatBuildsAHugeStringIsStoppedAndEverythingElseGoesOn() throws Exception {
        playbook("hog.yaml", """
                name: hog
                trigger:
                  event: ping
                  when: "%s"
                steps:
                  - id: note
                    agent: remind
                    input: { text: "'never'" }
                """.formatted(doubling(30)));
        playbook("echo.yaml", """
                name: echo
                trigger: ping
                steps:
                  - id: note
                    agent: remind
                    input: { text: "'pong'" }
                """);
        start();

        var accepted = kernel.send(event("ping", data()));

        assertThat(accepted.started()).hasSize(1);
        assertThat(accepted.notes())
                .singleElement()
                .asString()
                .contains("playbook 'hog' was not started: its trigger condition failed")
                .contains("was stopped: it made a string of");
        var run = Eventually.await(
                () -> kernel.run(accepted.started().getFirst()), r -> r.status().isFinal());
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(kernel.overview().storageFailure()).isEmpty();
    }

    @Test
    void aSlowTriggerConditionDoesNotHoldUpTheEventsOfOthers() throws Exception {
        playbook("slow.yaml", """
                name: slow
                trigger:
                  event: slow.ping
                  when: "lists.range(2000).all(i, !event.data.big.matches('^a*b$')) && false"
                steps:
                  - id: note
                    agent: remind
                    input: { text: "'never'" }
                """);
        start(Kernel.builder().limits(Limits.DEFAULT.withExpressionTime(Duration.ofSeconds(20))));

        var big = data().put("big", "a".repeat(500_000));
        var slow = CompletableFuture.supplyAsync(() -> kernel.send(event("slow.ping", big)));
        // Give the condition time to begin; then others' events must not queue behind it.
        Thread.sleep(200);
        var quick = kernel.send(event("other.ping", data()));

        assertThat(quick.duplicate()).isFalse();
        assertThat(slow).isNotDone();
        // Stopped after 20 s of its thread's processor time, or 60 s on the clock when starved (Budget).
        var slowAnswer = slow.get(90, TimeUnit.SECONDS);
        assertThat(slowAnswer.started()).isEmpty();
    }

    @Test
    void eventsWithTimesOutOfRangeOrDataNestedTooDeeplyAreRefusedBeforeAnythingIsRecorded() throws Exception {
        start();
        var far = new Event("far", "ping", "acme", "test", Instant.parse("+999999999-12-31T23:59:59Z"), data(), "", "");
        assertThatThrownBy(() -> kernel.send(far))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("event time +999999999-12-31T23:59:59Z is out of range");

        assertThatThrownBy(() -> kernel.send(event("ping", nested(65))))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("event data is nested more than 64 levels deep, the limit");
        assertThat(kernel.send(event("ping", nested(64))).duplicate()).isFalse();
        assertThat(kernel.verify().ok()).isTrue();
    }

    static ObjectNode nested(int levels) {
        var root = JsonNodeFactory.instance.objectNode();
        var at = root;
        for (int i = 1; i < levels; i++) {
            at = at.putObject("n");
        }
        return root;
    }

    @Test
    void playbooksThatTriggerEachOtherStopAtTheConfiguredDepthWithATaskThatExplainsTheLoop() throws Exception {
        playbook("ping.yaml", """
                name: ping-side
                trigger:
                  event: ping
                  when: event.data.n >= 0
                steps:
                  - id: answer
                    emit: { type: pong, data: { n: event.data.n + 1 } }
                """);
        playbook("pong.yaml", """
                name: pong-side
                trigger:
                  event: pong
                  when: event.data.n >= 0
                steps:
                  - id: answer
                    emit: { type: ping, data: { n: event.data.n + 1 } }
                """);
        start(Kernel.builder().limits(Limits.DEFAULT.withMaxEventDepth(4)));

        kernel.send(event("ping", data().put("n", 0)));

        var task = Eventually.await(() -> kernel.tasks(false), tasks -> !tasks.isEmpty())
                .getFirst();
        assertThat(task.kind()).isEqualTo(TaskKind.DEAD_LETTER);
        assertThat(task.explanation())
                .contains("emitting pong would start pong-side as link 5 of a chain of events and runs")
                .contains("A chain is stopped after 4 links, since it looks like an event loop")
                .contains("Skip this step to go on without emitting, or cancel the run");
        assertThat(kernel.runs(RunQuery.all())).hasSize(5);
        // Nothing more starts while the operator has not answered.
        Thread.sleep(500);
        assertThat(kernel.runs(RunQuery.all())).hasSize(5);
    }

    @Test
    void aPlaybookThatObviouslyTriggersItselfIsRefusedWhenItIsLoaded() throws Exception {
        playbook("echo.yaml", """
                name: echo
                trigger: ping
                steps:
                  - id: note
                    agent: remind
                    input: { text: "'again'" }
                  - id: again
                    emit: { type: ping, data: {} }
                """);
        start();

        assertThat(kernel.lastLoad().loaded())
                .as("nothing loaded but the kernel's built-in playbooks")
                .allMatch(p -> p.name().startsWith("aios-"));
        assertThat(kernel.lastLoad().refused())
                .singleElement()
                .asString()
                .contains("step 'again' emits ping, the event that starts this playbook, before any wait or await");
    }

    @Test
    void aBrokenFileKeepsThePreviousVersionActiveAndIsListedBesideIt() throws Exception {
        playbook("echo.yaml", """
                name: echo
                trigger: ping
                steps:
                  - id: note
                    agent: remind
                    input: { text: "'pong'" }
                """);
        start();
        var good = kernel.lastLoad().loaded().stream()
                .filter(p -> p.name().equals("echo"))
                .findFirst()
                .orElseThrow()
                .version();

        for (var broken : List.of(
                "name: echo\ntrigger: ping\nsteps: [ {id: note, agent: remind\n",
                "name: echo\ntrigger: ping\nsurprise: 1\nsteps:\n  - id: note\n    agent: remind\n",
                "# " + "x".repeat(5_000_000))) {
            playbook("echo.yaml", broken);
            var report = kernel.reloadPlaybooks();

            assertThat(report.refused()).isNotEmpty();
            assertThat(kernel.send(event("ping", data())).started()).hasSize(1);
            var listed = kernel.playbooks().stream()
                    .filter(p -> !p.name().startsWith("aios-"))
                    .toList();
            assertThat(listed.get(0).name()).isEqualTo("echo");
            assertThat(listed.get(0).version()).isEqualTo(good);
            assertThat(listed.get(0).active()).isTrue();
            assertThat(listed.get(1).name()).isEqualTo("echo");
            assertThat(listed.get(1).version()).isEmpty();
            assertThat(listed.get(1).source()).endsWith("echo.yaml");
            assertThat(listed.get(1).refused()).isNotEmpty();
        }
    }

    /** An extension that closes the writer's own connection, as a broken driver would. */
    static final class Saboteur implements Extension {
        ExtensionHost host;

        @Override
        public void attach(ExtensionHost host) {
            this.host = host;
        }

        void strike() {
            try {
                host.storage().write(handle -> {
                    // Extensions get no connection; a broken driver is played by reaching under the handle.
                    ((dev.aios.kernel.internal.store.jdbc.JdbcHandle) handle)
                            .connection()
                            .close();
                    return null;
                });
            } catch (RuntimeException expected) {
                // the write that broke the writer fails too
            }
        }
    }

    @Test
    void aWriterThatCannotGoOnIsReportedWritesFailAtOnceAndClosingDoesNotHang() throws Exception {
        var saboteur = new Saboteur();
        var why = new AtomicReference<String>();
        start(Kernel.builder().extension(saboteur).whenBroken(why::set));

        saboteur.strike();

        Eventually.await(why::get, reason -> reason != null);
        assertThat(why.get()).contains("stopped").contains("connection to the database was closed");
        assertThat(kernel.overview().storageFailure()).get().asString().contains("restart aios");
        assertThatThrownBy(() -> kernel.send(event("ping", data())))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("Restart aios");
        var closing = CompletableFuture.runAsync(kernel::close);
        closing.get(60, TimeUnit.SECONDS);
        kernel = null;
    }
}
