package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.PermanentFailure;
import dev.aios.api.Stateful;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateful agents through the public API: one instance per subject handling its messages one at a
 * time and in order, keeping its state between them, sending itself messages later, and gone when
 * its subject is forgotten.
 */
class StatefulAgentTest {
    record Note(String text) {}

    record Notes(List<String> notes) {}

    record Input(Note message, Optional<Notes> state) {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, AtomicInteger> BUSY = new ConcurrentHashMap<>();
    static final AtomicInteger RUNNING = new AtomicInteger();
    static final AtomicInteger MOST_PER_SUBJECT = new AtomicInteger();
    static final AtomicInteger MOST_AT_ONCE = new AtomicInteger();
    /** What {@code hold} waits for before it is handled. */
    static volatile java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(0);

    /**
     * Keeps the notes it is sent. {@code remind} also sends itself {@code reminder} an hour later;
     * {@code fail} fails for good; {@code slow ...} takes a few milliseconds; {@code hold} waits until the
     * test lets it go; {@code bye} ends the instance.
     */
    static final class Keeper implements Agent<Input, Notes>, Stateful {
        @Override
        public Contract<Input, Notes> contract() {
            return Contract.of("keeper", "1.0.0", Input.class, Notes.class);
        }

        @Override
        public Notes run(Input input, AgentContext ctx) throws Exception {
            var busy = BUSY.computeIfAbsent(ctx.subject(), s -> new AtomicInteger());
            MOST_PER_SUBJECT.accumulateAndGet(busy.incrementAndGet(), Math::max);
            MOST_AT_ONCE.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
            try {
                String text = input.message().text();
                if (text.equals("fail")) {
                    throw new PermanentFailure("cannot take a note saying 'fail'");
                }
                if (text.startsWith("slow")) {
                    Thread.sleep(3);
                }
                if (text.equals("hold") && !hold.await(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("held for a minute");
                }
                if (text.equals("bye")) {
                    ctx.end();
                }
                if (text.equals("remind")) {
                    ctx.later(Duration.ofHours(1), JSON.createObjectNode().put("text", "reminder"));
                }
                var notes = new ArrayList<>(input.state().map(Notes::notes).orElse(List.of()));
                notes.add(text);
                return new Notes(notes);
            } finally {
                RUNNING.decrementAndGet();
                busy.decrementAndGet();
            }
        }
    }

    /** An ordinary agent, to be refused as an addressee. */
    static final class Plain implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("plain", "1.0.0", Note.class, Note.class);
        }

        @Override
        public Note run(Note input, AgentContext ctx) {
            return input;
        }
    }

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-03-02T09:00:00Z"));
    Kernel kernel;

    @BeforeEach
    void reset() throws Exception {
        BUSY.clear();
        MOST_PER_SUBJECT.set(0);
        MOST_AT_ONCE.set(0);
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
                .agent(new Keeper())
                .agent(new Plain())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        assertThat(kernel.lastLoad().refused()).isEmpty();
    }

    Accepted tell(String subject, String text) {
        return tell(UUID.randomUUID().toString(), subject, text);
    }

    Accepted tell(String id, String subject, String text) {
        var data = JSON.createObjectNode().put("to", "agent/keeper").put("text", text);
        return kernel.send(new Event(id, "note.taken", subject, "test", clock.instant(), data, "", ""));
    }

    List<String> notes(String subject) {
        try {
            var notes = kernel.agentInstance("keeper", subject, 5).state().path("notes");
            var out = new ArrayList<String>();
            notes.forEach(n -> out.add(n.asText()));
            return out;
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    List<String> awaitNotes(String subject, int count) {
        return Eventually.await(() -> notes(subject), n -> n.size() >= count, Duration.ofSeconds(90));
    }

    @Test
    void eachSubjectsMessagesAreHandledOneAtATimeInOrderWhileSubjectsGoOnAtOnce() throws Exception {
        open();
        int subjects = 40;
        int messages = 15;
        try (var senders = Executors.newFixedThreadPool(8)) {
            for (int s = 0; s < subjects; s++) {
                String subject = "client-" + s;
                senders.execute(() -> {
                    for (int m = 0; m < messages; m++) {
                        tell(subject, "slow " + m);
                    }
                });
            }
        }

        for (int s = 0; s < subjects; s++) {
            assertThat(awaitNotes("client-" + s, messages))
                    .as("client-%d's notes, in the order they were sent", s)
                    .containsExactlyElementsOf(IntStream.range(0, messages)
                            .mapToObj(m -> "slow " + m)
                            .toList());
        }
        assertThat(MOST_PER_SUBJECT.get())
                .as("never two messages of one subject at once")
                .isEqualTo(1);
        assertThat(MOST_AT_ONCE.get())
                .as("messages of different subjects are handled at the same time")
                .isGreaterThan(1);
        var instances = kernel.agentInstances(Optional.of("keeper"));
        assertThat(instances).hasSize(subjects);
        assertThat(instances).allSatisfy(i -> {
            assertThat(i.handled()).isEqualTo(messages);
            assertThat(i.mailbox()).isZero();
            assertThat(i.lastMessage()).isPresent();
        });
    }

    @Test
    void aSendStepDeliversItsMessageOnceAndTheStateIsKeptBetweenMessages() throws Exception {
        Files.writeString(dir.resolve("playbooks/p.yaml"), """
                name: intake
                trigger: lead.received
                steps:
                  - id: tell
                    send:
                      to: agent/keeper
                      message: { text: "'lead ' + event.data.name" }
                """);
        open();
        var first = kernel.send(lead("l-1", "ada"));
        var again = kernel.send(lead("l-1", "ada"));
        assertThat(again.duplicate()).isTrue();
        Eventually.await(() -> kernel.run(first.started().getFirst()), r -> r.status() == RunStatus.COMPLETED);
        var second = kernel.send(lead("l-2", "grace"));
        Eventually.await(() -> kernel.run(second.started().getFirst()), r -> r.status() == RunStatus.COMPLETED);

        assertThat(awaitNotes("acme", 2)).containsExactly("lead ada", "lead grace");
        var view = kernel.agentInstance("keeper", "acme", 10);
        assertThat(view.messages())
                .as("newest first, each from the run that sent it")
                .extracting(AgentInstanceView.Message::from)
                .containsExactly(
                        "run:" + second.started().getFirst(),
                        "run:" + first.started().getFirst());
        assertThat(view.messages()).allSatisfy(m -> {
            assertThat(m.status()).isEqualTo(MessageStatus.HANDLED);
            assertThat(m.type()).isEqualTo("agent.message");
        });
        var sent = kernel.run(first.started().getFirst()).context().path("tell");
        assertThat(sent.path("messageId").asText())
                .as("the step says which message it sent")
                .isEqualTo(view.messages().get(1).id());
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void sendStepsInAForEachSendOneMessagePerItemToTheSubjectEachNames() throws Exception {
        Files.writeString(dir.resolve("playbooks/p.yaml"), """
                name: fan-out
                trigger: notes.listed
                steps:
                  - id: each
                    forEach: event.data.notes
                    as: note
                    concurrency: 1
                    steps:
                      - id: tell
                        send:
                          to: agent/keeper
                          subject: note.client
                          message: { text: note.text }
                """);
        open();
        var data = JSON.readTree("""
                {"notes": [{"client": "acme", "text": "one"}, {"client": "globex", "text": "two"},
                           {"client": "acme", "text": "three"}, {"client": "acme", "text": "four"}]}
                """);
        var run = kernel.send(new Event("n-1", "notes.listed", "studio", "test", clock.instant(), data, "", ""))
                .started()
                .getFirst();

        Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(awaitNotes("acme", 3)).containsExactly("one", "three", "four");
        assertThat(awaitNotes("globex", 1)).containsExactly("two");
    }

    /** Builds agents of kind {@code tally} declared by playbooks: each counts its messages. */
    static final class Tallies implements dev.aios.kernel.spi.Extension {
        @Override
        public void attach(dev.aios.kernel.spi.ExtensionHost host) {
            host.agentFactory(new dev.aios.kernel.spi.AgentFactory() {
                @Override
                public String kind() {
                    return "tally";
                }

                @Override
                public dev.aios.api.JsonAgent create(
                        dev.aios.api.AgentDeclaration declaration, dev.aios.api.PlaybookRef playbook) {
                    if (declaration.spec().has("stateful") || declaration.spec().has("end")) {
                        throw new IllegalArgumentException("the kernel keeps 'stateful' to itself");
                    }
                    var object = JSON.createObjectNode().put("type", "object");
                    var contract = new dev.aios.api.JsonContract(
                            declaration.name(),
                            "1",
                            "counts",
                            object,
                            object,
                            List.of(),
                            java.util.Set.of(),
                            Duration.ofSeconds(5));
                    return new dev.aios.api.JsonAgent() {
                        @Override
                        public dev.aios.api.JsonContract contract() {
                            return contract;
                        }

                        @Override
                        public com.fasterxml.jackson.databind.JsonNode run(
                                com.fasterxml.jackson.databind.JsonNode input, AgentContext context) {
                            return JSON.createObjectNode()
                                    .put(
                                            "count",
                                            input.path("state").path("count").asInt() + 1)
                                    .put(
                                            "last",
                                            input.path("message").path("text").asText());
                        }
                    };
                }
            });
        }
    }

    @Test
    void aPlaybookDeclaresAStatefulAgentThatItsSendStepsAddressAndNoAgentStepMayCall() throws Exception {
        Files.writeString(dir.resolve("playbooks/p.yaml"), """
                name: counting
                trigger: thing.seen
                agents:
                  - name: tally
                    kind: tally
                    stateful: true
                steps:
                  - id: count
                    send:
                      to: agent/tally
                      message: { text: event.data.text }
                """);
        Files.writeString(dir.resolve("playbooks/wrong.yaml"), """
                name: wrong
                trigger: thing.seen
                agents:
                  - name: other-tally
                    kind: tally
                    stateful: true
                steps:
                  - id: count
                    agent: other-tally
                """);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Keeper())
                .extension(new Tallies())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        assertThat(kernel.lastLoad().refused()).singleElement().satisfies(problem -> assertThat(problem.toString())
                .contains("wrong.yaml")
                .contains("agent 'other-tally' is stateful"));

        for (var text : List.of("a", "b", "c")) {
            kernel.send(new Event(
                    UUID.randomUUID().toString(),
                    "thing.seen",
                    "acme",
                    "test",
                    clock.instant(),
                    JSON.createObjectNode().put("text", text),
                    "",
                    ""));
        }

        var view = Eventually.await(
                () -> kernel.agentInstances(Optional.of("tally")),
                all -> all.size() == 1 && all.getFirst().handled() == 3,
                Duration.ofSeconds(60));
        assertThat(view.getFirst().subject()).isEqualTo("acme");
        assertThat(kernel.agentInstance("tally", "acme", 3)
                        .state()
                        .path("count")
                        .asInt())
                .isEqualTo(3);
    }

    Event lead(String id, String name) {
        return new Event(
                id,
                "lead.received",
                "acme",
                "test",
                clock.instant(),
                JSON.createObjectNode().put("name", name),
                "",
                "");
    }

    @Test
    void aMessageSentLaterArrivesAfterItsDelayEvenAcrossARestart() {
        open();
        tell("acme", "remind");
        assertThat(awaitNotes("acme", 1)).containsExactly("remind");
        var waiting = kernel.agentInstances(Optional.empty()).getFirst();
        assertThat(waiting.mailbox()).as("the reminder waits in the mailbox").isEqualTo(1);
        assertThat(waiting.nextDue()).contains(clock.instant().plus(Duration.ofHours(1)));
        kernel.close();

        open();
        tell("acme", "after the restart");
        assertThat(awaitNotes("acme", 2)).containsExactly("remind", "after the restart");
        clock.advance(Duration.ofMinutes(61));
        kernel.wake();

        assertThat(awaitNotes("acme", 3)).containsExactly("remind", "after the restart", "reminder");
        var reminder = kernel.agentInstance("keeper", "acme", 1).messages().getFirst();
        assertThat(reminder.from()).isEqualTo("later");
        assertThat(reminder.dueAt()).isAfter(reminder.receivedAt());
    }

    @Test
    void aMessageThatFailsForGoodIsSetAsideAndTheMailboxGoesOn() {
        open();
        tell("acme", "fail");
        tell("acme", "next");

        assertThat(awaitNotes("acme", 1)).containsExactly("next");
        var view = kernel.agentInstance("keeper", "acme", 10);
        assertThat(view.instance().failed()).isEqualTo(1);
        var failed = view.messages().get(1);
        assertThat(failed.status()).isEqualTo(MessageStatus.FAILED);
        assertThat(failed.error()).hasValueSatisfying(e -> assertThat(e).contains("cannot take a note"));
    }

    @Test
    void forgettingTheSubjectDestroysItsInstanceWithItsStateAndMessages() {
        open();
        tell("acme", "likes short emails");
        tell("globex", "pays late");
        awaitNotes("acme", 1);
        awaitNotes("globex", 1);

        kernel.forget("acme");

        assertThatThrownBy(() -> kernel.agentInstance("keeper", "acme", 10))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("no instance for subject 'acme'");
        assertThat(kernel.agentInstances(Optional.empty()))
                .extracting(AgentInstance::subject)
                .containsExactly("globex");
        assertThat(notes("globex")).containsExactly("pays late");
    }

    @Test
    void forgettingTheSubjectLeavesNoByteOfItsInstanceInAnyFileOfTheDataDirectory() throws Exception {
        open();
        String address = "ada.lovelace@acme.test";
        tell(address, "likes short emails");
        tell(address, "fail");
        tell(address, "remind");
        awaitNotes(address, 2);
        assertThat(kernel.agentInstance("keeper", address, 10).instance().mailbox())
                .as("the reminder waits in the mailbox")
                .isEqualTo(1);

        kernel.forget(address);

        assertThat(kernel.verify().problems()).isEmpty();
        kernel.close();
        kernel = null;
        try (var files = Files.walk(dir.resolve("data"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(bytes)
                        .as(file + " holds the forgotten subject's data")
                        .doesNotContain("lovelace", "short emails");
            }
        }
    }

    @Test
    void anEventAddressedToAnAgentWithoutInstancesIsRefusedAndNothingIsRecorded() {
        open();
        var data = JSON.createObjectNode().put("to", "agent/plain").put("text", "hello");
        assertThatThrownBy(() ->
                        kernel.send(new Event("e-1", "note.taken", "acme", "test", clock.instant(), data, "", "")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("agent/plain, which is not a stateful agent")
                .hasMessageContaining("the stateful agents are keeper");
        assertThat(tell("e-1", "acme", "hello").duplicate())
                .as("the refused event was not logged")
                .isFalse();
    }

    @Test
    void messagesOfAnEventDeliveredTwiceAreHandledOnce() {
        open();
        tell("e-7", "acme", "once");
        tell("e-7", "acme", "once");
        tell("acme", "then this");

        assertThat(awaitNotes("acme", 2)).containsExactly("once", "then this");
        assertThat(kernel.agentInstance("keeper", "acme", 10).messages()).hasSize(2);
    }
}
