package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Event;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operator can do about stateful agents' instances: verify them against their messages and
 * rebuild them, decide about a message that failed for good from the inbox, and see an instance that
 * ended itself.
 */
class StatefulAgentOperatorTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static final java.util.concurrent.atomic.AtomicInteger UPPER_CALLS =
            new java.util.concurrent.atomic.AtomicInteger();

    /** A stateless agent a stateful one calls as a tool; counts its calls. */
    static final class Upper implements dev.aios.api.Agent<StatefulAgentTest.Note, StatefulAgentTest.Note> {
        @Override
        public dev.aios.api.Contract<StatefulAgentTest.Note, StatefulAgentTest.Note> contract() {
            return dev.aios.api.Contract.of(
                    "upper", "1.0.0", StatefulAgentTest.Note.class, StatefulAgentTest.Note.class);
        }

        @Override
        public StatefulAgentTest.Note run(StatefulAgentTest.Note input, dev.aios.api.AgentContext ctx) {
            UPPER_CALLS.incrementAndGet();
            return new StatefulAgentTest.Note(input.text().toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** Keeps its notes upper-cased by {@code upper}; its first attempt at each message fails after the call. */
    static final class Shouter
            implements dev.aios.api.Agent<StatefulAgentTest.Input, StatefulAgentTest.Notes>, dev.aios.api.Stateful {
        @Override
        public dev.aios.api.Contract<StatefulAgentTest.Input, StatefulAgentTest.Notes> contract() {
            return dev.aios.api.Contract.of(
                    "shouter", "1.0.0", StatefulAgentTest.Input.class, StatefulAgentTest.Notes.class);
        }

        @Override
        public StatefulAgentTest.Notes run(StatefulAgentTest.Input input, dev.aios.api.AgentContext ctx)
                throws Exception {
            var loud = ctx.call("upper", JSON.valueToTree(input.message()));
            if (ctx.attempt() == 1) {
                throw new IllegalStateException("the line dropped after the call");
            }
            var notes = new ArrayList<>(
                    input.state().map(StatefulAgentTest.Notes::notes).orElse(List.of()));
            notes.add(loud.path("text").asText());
            return new StatefulAgentTest.Notes(notes);
        }
    }

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-03-02T09:00:00Z"));
    Kernel kernel;

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
                .agent(new StatefulAgentTest.Keeper())
                .agent(new Upper())
                .agent(new Shouter())
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        assertThat(kernel.lastLoad().refused()).isEmpty();
    }

    void tell(String subject, String text) {
        var data = JSON.createObjectNode().put("to", "agent/keeper").put("text", text);
        kernel.send(
                new Event(UUID.randomUUID().toString(), "note.taken", subject, "test", clock.instant(), data, "", ""));
    }

    List<String> notes(String subject) {
        try {
            var out = new ArrayList<String>();
            kernel.agentInstance("keeper", subject, 5).state().path("notes").forEach(n -> out.add(n.asText()));
            return out;
        } catch (NotFoundException e) {
            return List.of();
        }
    }

    List<String> awaitNotes(String subject, int count) {
        return Eventually.await(() -> notes(subject), n -> n.size() >= count, Duration.ofSeconds(90));
    }

    Connection database() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data").resolve(Admin.databaseFile()));
    }

    @Test
    void verifyFindsAnInstanceThatNoLongerMatchesItsMessagesAndRebuildRestoresItFromThem() throws Exception {
        open();
        tell("acme", "likes short emails");
        tell("acme", "pays on time");
        tell("globex", "prefers calls");
        awaitNotes("acme", 2);
        awaitNotes("globex", 1);
        kernel.close();
        kernel = null;
        assertThat(Admin.verify(dir.resolve("data")).problems()).isEmpty();

        try (var db = database();
                var s = db.createStatement()) {
            s.executeUpdate(
                    "UPDATE agent_instances SET codec = 'json', state = CAST('{\"notes\":[\"forged\"]}' AS BLOB),"
                            + " handled = 7 WHERE subject = 'acme'");
            s.executeUpdate("DELETE FROM agent_instances WHERE subject = 'globex'");
        }
        var problems = Admin.verify(dir.resolve("data")).problems();
        assertThat(problems)
                .anySatisfy(p -> assertThat(p)
                        .contains("keeper/acme")
                        .contains("its state is not the one its last handled message left"))
                .anySatisfy(p -> assertThat(p).contains("keeper/acme").contains("counts 7 handled"))
                .anySatisfy(p -> assertThat(p).contains("'keeper' for 'globex' belong to no instance"));

        assertThat(Admin.rebuild(dir.resolve("data")).changedRows()).isGreaterThanOrEqualTo(2);
        assertThat(Admin.verify(dir.resolve("data")).problems()).isEmpty();
        open();
        assertThat(notes("acme")).containsExactly("likes short emails", "pays on time");
        assertThat(notes("globex")).containsExactly("prefers calls");
        assertThat(kernel.agentInstance("keeper", "acme", 5).instance().handled())
                .isEqualTo(2);
        tell("globex", "moved to Lyon");
        assertThat(awaitNotes("globex", 2))
                .as("the restored instance goes on from its state")
                .containsExactly("prefers calls", "moved to Lyon");
    }

    @Test
    void aMessageThatFailedForGoodIsAnInboxTaskTriedAgainEditedOrSkippedAndTheMailboxGoesOn() {
        open();
        tell("acme", "first");
        tell("acme", "fail");
        tell("acme", "second");
        assertThat(awaitNotes("acme", 2)).containsExactly("first", "second");

        var task = Eventually.await(
                        () -> kernel.tasks(false).stream()
                                .filter(t -> t.kind() == TaskKind.APPROVAL)
                                .findFirst(),
                        Optional::isPresent,
                        Duration.ofSeconds(90))
                .orElseThrow();
        assertThat(task.title()).contains("could not handle a message");
        assertThat(task.details().toString())
                .contains("keeper")
                .contains("cannot take a note saying 'fail'")
                .contains("\"text\":\"fail\"");

        kernel.approve(task.id(), Optional.of(JSON.createObjectNode().put("text", "fixed")), "typo");
        assertThat(awaitNotes("acme", 3))
                .as("the edited message is handled with the state as it is now")
                .containsExactly("first", "second", "fixed");
        var instance = kernel.agentInstance("keeper", "acme", 10).instance();
        assertThat(instance.failed()).isZero();
        assertThat(instance.handled()).isEqualTo(3);

        tell("acme", "fail");
        var second = Eventually.await(
                        () -> kernel.tasks(false).stream()
                                .filter(t -> t.kind() == TaskKind.APPROVAL)
                                .findFirst(),
                        Optional::isPresent,
                        Duration.ofSeconds(90))
                .orElseThrow();
        kernel.reject(second.id(), "not worth it");
        Eventually.await(
                () -> kernel.agentInstance("keeper", "acme", 10).messages().stream()
                        .anyMatch(m -> m.status() == MessageStatus.SKIPPED),
                skipped -> skipped,
                Duration.ofSeconds(90));
        Eventually.await(() -> kernel.run(second.runId()), r -> r.status() == RunStatus.COMPLETED);
        tell("acme", "third");
        assertThat(awaitNotes("acme", 4)).containsExactly("first", "second", "fixed", "third");
        assertThat(kernel.agentInstance("keeper", "acme", 10).instance().failed())
                .as("a skipped message still counts as given up on")
                .isEqualTo(1);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void messagesHandledAtTheSameInstantAreCheckedInTheOrderTheyWereHandled() {
        // On a clock that stands still several messages share one handling time; the one due first was
        // handled first, even when it was received after the other.
        StatefulAgentTest.hold = new java.util.concurrent.CountDownLatch(1);
        try {
            open();
            tell("acme", "remind");
            awaitNotes("acme", 1);
            tell("acme", "hold");
            Eventually.await(
                    () -> StatefulAgentTest.BUSY
                            .getOrDefault("acme", new java.util.concurrent.atomic.AtomicInteger())
                            .get(),
                    busy -> busy > 0,
                    Duration.ofSeconds(90));
            tell("acme", "pays on time");
            clock.advance(Duration.ofHours(2));
        } finally {
            StatefulAgentTest.hold.countDown();
        }
        kernel.wake();
        assertThat(awaitNotes("acme", 4))
                .as("the reminder, due an hour after 'remind', comes after the message due at once")
                .containsExactly("remind", "hold", "pays on time", "reminder");
        assertThat(kernel.verify().problems()).isEmpty();
        assertThat(kernel.agentInstance("keeper", "acme", 1)
                        .messages()
                        .getFirst()
                        .from())
                .as("the newest message shown first is the one handled last")
                .isEqualTo("later");
    }

    @Test
    void anInstanceThatEndsItselfKeepsItsStateAndHandlesNothingMore() {
        open();
        tell("acme", "remind");
        tell("acme", "bye");
        awaitNotes("acme", 2);
        var ended = Eventually.await(
                () -> kernel.agentInstance("keeper", "acme", 10),
                v -> v.instance().endedAt().isPresent(),
                Duration.ofSeconds(90));
        assertThat(ended.instance().nextDue()).as("its reminder will not come").isEmpty();
        assertThat(ended.messages())
                .as("the reminder it set earlier is dropped")
                .anySatisfy(m -> {
                    assertThat(m.from()).isEqualTo("later");
                    assertThat(m.status()).isEqualTo(MessageStatus.DROPPED);
                });

        tell("acme", "are you there?");
        clock.advance(Duration.ofHours(2));
        kernel.wake();
        var after = Eventually.await(
                () -> kernel.agentInstance("keeper", "acme", 10),
                v -> v.messages().stream()
                        .anyMatch(m -> m.body().path("text").asText().equals("are you there?")),
                Duration.ofSeconds(90));
        assertThat(after.messages().stream()
                        .filter(m -> m.body().path("text").asText().equals("are you there?"))
                        .findFirst()
                        .orElseThrow()
                        .status())
                .as("a message to an ended instance is kept, not handled")
                .isEqualTo(MessageStatus.DROPPED);
        assertThat(notes("acme")).as("its final state is kept").containsExactly("remind", "bye");
        assertThat(kernel.verify().problems()).isEmpty();

        kernel.forget("acme");
        tell("acme", "hello again");
        assertThat(awaitNotes("acme", 1))
                .as("once the subject is forgotten, a message starts a new instance")
                .containsExactly("hello again");
    }

    @Test
    void aHandlingCallsAStatelessAgentAsAToolAndItsRecordedAnswerIsUsedWhenTheHandlingRunsAgain() {
        open();
        UPPER_CALLS.set(0);
        var data = JSON.createObjectNode().put("to", "agent/shouter").put("text", "hello");
        kernel.send(new Event("s-1", "note.taken", "acme", "test", clock.instant(), data, "", ""));
        Eventually.await(
                () -> kernel.agentInstance("shouter", "acme", 5)
                        .messages()
                        .getFirst()
                        .attempts(),
                attempts -> attempts >= 1,
                Duration.ofSeconds(90));
        clock.advance(Duration.ofMinutes(5));
        kernel.wake();

        var state = Eventually.await(
                () -> kernel.agentInstance("shouter", "acme", 5),
                v -> v.instance().handled() == 1,
                Duration.ofSeconds(90));
        assertThat(state.state().path("notes").get(0).asText()).isEqualTo("HELLO");
        assertThat(UPPER_CALLS.get())
                .as("the tool was called once for two attempts")
                .isEqualTo(1);
    }
}
