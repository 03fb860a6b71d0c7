package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.AgentContext;
import dev.aios.api.AgentDeclaration;
import dev.aios.api.Event;
import dev.aios.api.JsonAgent;
import dev.aios.api.JsonContract;
import dev.aios.api.OperatorNeeded;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.spi.AgentFactory;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.StepScope;
import dev.aios.kernel.spi.StepService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What extensions plug in: services, declared agents, tools, drafts, feed, storage, forgetting. */
class ExtensionsTest {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** A service agents use: it notes what it was asked, as memory would. */
    interface Notebook {
        String lookUp(String topic);

        /** Has a notary stamp the topic (an effect) and files a note of it in the extension's table. */
        String stamp(String topic) throws Exception;
    }

    /** An extension with a notebook service, a "template" agent kind, storage and listeners. */
    static final class TestExtension implements Extension {
        final List<FeedItem> feed = new CopyOnWriteArrayList<>();
        final List<String> forgotten = new CopyOnWriteArrayList<>();
        final AtomicInteger toolRuns = new AtomicInteger();
        final AtomicInteger stamps = new AtomicInteger();
        /** Filing notes of stamps fails this many more times. */
        final AtomicInteger filingFailures = new AtomicInteger();

        ExtensionHost host;

        @Override
        public void attach(ExtensionHost host) {
            this.host = host;
            host.storage().migrate("testext", "classpath:db/testext");
            host.listen(feed::addAll);
            host.onForget(subject -> {
                forgotten.add(subject);
                // What an extension keeps beside sealed data, it files under the subject's pseudonym.
                host.storage()
                        .write(h -> h.update(
                                "UPDATE testext_notes SET subject = ? WHERE subject = ?",
                                host.cipher().pseudonym(subject),
                                subject));
            });
            host.service(new StepService<Notebook>() {
                @Override
                public Class<Notebook> type() {
                    return Notebook.class;
                }

                @Override
                public Notebook open(StepScope scope) {
                    return new Notebook() {
                        @Override
                        public String lookUp(String topic) {
                            scope.note(
                                    "recall",
                                    JSON.objectNode().put("topic", topic).put("item", "n-1@3"));
                            return "notes about " + topic;
                        }

                        @Override
                        public String stamp(String topic) throws Exception {
                            return scope.effect(
                                    "notary:stamp",
                                    String.class,
                                    key -> "stamp " + stamps.incrementAndGet() + " on " + topic,
                                    h -> {
                                        h.update(
                                                "INSERT INTO testext_notes VALUES (?, ?)",
                                                topic,
                                                ("stamped " + topic).getBytes(StandardCharsets.UTF_8));
                                        if (filingFailures.getAndDecrement() > 0) {
                                            throw new IllegalStateException("the notes table is full");
                                        }
                                    });
                        }
                    };
                }
            });
            host.agentFactory(new AgentFactory() {
                @Override
                public String kind() {
                    return "template";
                }

                @Override
                public JsonAgent create(AgentDeclaration declaration, PlaybookRef playbook) {
                    String template = declaration.spec().path("template").asText();
                    if (template.isEmpty()) {
                        throw new IllegalArgumentException("needs a template");
                    }
                    return new TemplateAgent(declaration.name(), template, toolRuns);
                }
            });
        }
    }

    /** Fills a template; without a "ready" flag it hands the operator a draft instead. */
    record TemplateAgent(String name, String template, AtomicInteger toolRuns) implements JsonAgent {
        @Override
        public JsonContract contract() {
            var object = JSON.objectNode().put("type", "object");
            object.putObject("properties").putObject("text").put("type", "string");
            object.putArray("required").add("text");
            return new JsonContract(
                    name,
                    "1",
                    "fills a template",
                    JSON.objectNode().put("type", "object"),
                    object,
                    List.of(),
                    name.equals("stamp") ? Set.of("notary") : Set.of(),
                    Duration.ofSeconds(5));
        }

        @Override
        public JsonNode run(JsonNode input, AgentContext context) throws Exception {
            if (name.equals("stamp")) {
                return JSON.objectNode()
                        .put(
                                "text",
                                context.service(Notebook.class)
                                        .stamp(input.path("client").asText()));
            }
            String notes =
                    context.service(Notebook.class).lookUp(input.path("client").asText());
            String text = template.replace("{client}", input.path("client").asText()) + " (" + notes + ")";
            if (name.equals("shout")) {
                toolRuns.incrementAndGet();
                return JSON.objectNode().put("text", text.toUpperCase());
            }
            if (!input.path("ready").asBoolean()) {
                throw new OperatorNeeded(
                        "Finish the note to " + input.path("client").asText(),
                        "the agent is not sure enough",
                        JSON.objectNode().put("text", text));
            }
            var shouted = context.call(
                    "shout",
                    JSON.objectNode().put("client", input.path("client").asText()));
            return JSON.objectNode()
                    .put("text", text + " / " + shouted.path("text").asText());
        }
    }

    static final String PLAYBOOK = """
            name: notes
            trigger: note.requested
            agents:
              - name: write-note
                kind: template
                template: "Dear {client}"
              - name: shout
                kind: template
                template: "hey {client}"
              - name: stamp
                kind: template
                template: "stamp"
            steps:
              - id: write
                agent: write-note
                input: { client: event.subject, ready: event.data.ready }
            """;

    @TempDir
    Path dir;

    TestClock clock = new TestClock();
    TestExtension extension = new TestExtension();
    Kernel kernel;

    @AfterEach
    void stop() {
        if (kernel != null) {
            kernel.close();
        }
    }

    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/notes.yaml"), PLAYBOOK);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(extension)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10))
                .build();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        kernel.start();
    }

    String send(String subject, boolean ready, String secret) {
        return send(UUID.randomUUID().toString(), subject, ready, secret);
    }

    String send(String id, String subject, boolean ready, String secret) {
        return send(id, subject, ready, secret, "").started().getFirst();
    }

    Accepted send(String id, String subject, boolean ready, String secret, String correlation) {
        var data = JSON.objectNode().put("ready", ready).put("secret", secret);
        return kernel.send(new Event(id, "note.requested", subject, "test", clock.instant(), data, correlation, ""));
    }

    @Test
    void declaredAgentsUseServicesAndToolsAndTheirProvenanceIsShown() throws Exception {
        start();
        assertThat(kernel.agents()).extracting(AgentInfo::name).contains("write-note", "shout");
        String run = send("acme", true, "s");
        var done = Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("write").path("text").asText())
                .isEqualTo("Dear acme (notes about acme) / HEY ACME (NOTES ABOUT ACME)");
        var step = done.steps().getFirst();
        assertThat(step.provenance())
                .extracting(n -> n.path("kind").asText())
                .containsExactly("recall", "tool:shout:recall");
        assertThat(step.receipts()).singleElement().satisfies(r -> assertThat(r.name())
                .isEqualTo("agent:shout"));
        assertThat(extension.toolRuns.get()).isEqualTo(1);
        Eventually.await(() -> extension.feed.size(), n -> n > 3);
        assertThat(extension.feed).anySatisfy(i -> assertThat(i.source()).isEqualTo("event"));
        assertThat(extension.host.feed().after(0, 0, 100)).hasSizeGreaterThan(3);
    }

    @Test
    void whatAnExtensionFilesAboutAnEffectCommitsWithItsReceiptOrNotAtAll() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/stamps.yaml"), """
                name: stamps
                trigger: stamp.requested
                defaults:
                  retry: { attempts: 3, backoff: 1s, jitter: 0 }
                agents:
                  - name: stamp
                    kind: template
                    template: "stamp"
                steps:
                  - id: stamp
                    agent: stamp
                    input: { client: event.subject }
                """);
        extension.filingFailures.set(1);
        start();

        String run = kernel.send(
                        new Event("s-1", "stamp.requested", "acme", "test", clock.instant(), JSON.objectNode(), "", ""))
                .started()
                .getFirst();
        var done = Eventually.await(
                () -> {
                    clock.advance(Duration.ofSeconds(1));
                    kernel.wake();
                    return kernel.run(run);
                },
                r -> r.status() == RunStatus.COMPLETED);

        // The first filing failed, so the first stamp's receipt was not kept either: the retry stamped again,
        // and its receipt and its note were kept together.
        assertThat(extension.stamps.get()).isEqualTo(2);
        assertThat(done.context().path("stamp").path("text").asText()).isEqualTo("stamp 2 on acme");
        assertThat(done.steps().getFirst().receipts()).singleElement().satisfies(r -> assertThat(r.name())
                .isEqualTo("notary:stamp"));
        long notes = extension.host.storage().read(h -> h.count("SELECT COUNT(*) FROM testext_notes"));
        assertThat(notes).isEqualTo(1);
    }

    @Test
    void anAgentThatNeedsTheOperatorLeavesADraftToEdit() throws Exception {
        start();
        String run = send("bolt", false, "s");
        var task =
                Eventually.await(() -> kernel.tasks(false), t -> !t.isEmpty()).getFirst();
        assertThat(task.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(task.title()).isEqualTo("Finish the note to bolt");
        assertThat(task.proposed().path("text").asText()).startsWith("Dear bolt");
        kernel.approve(task.id(), java.util.Optional.of(MAPPER.readTree("{\"text\": \"Dear Bolt team\"}")), "");
        var done = Eventually.await(() -> kernel.run(run), r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("write").path("text").asText()).isEqualTo("Dear Bolt team");
    }

    @Test
    void forgettingASubjectLeavesNothingReadableNorItsNameAndTheJournalStillVerifies() throws Exception {
        start();
        String address = "ada.lovelace@acme.test";
        String secret = "ZEBRA-" + UUID.randomUUID();
        // The sender names its events after the address, as mail does with its Message-IDs.
        String forgotten = send("<note-1." + address + ">", address, true, secret);
        String waiting = send("<note-2." + address + ">", address, false, secret);
        String keptSecret = "OKAPI-" + UUID.randomUUID();
        String kept = send("bolt", true, keptSecret);
        // An event about someone else, correlated with one of the address's events (and sent before any run of
        // its own saw it, so that no run of bolt's keeps the id in its trigger: that is bolt's data, kept as sent).
        var correlated = kernel.send(new Event(
                "other-1",
                "note.unrouted",
                "bolt",
                "test",
                clock.instant(),
                JSON.objectNode(),
                "<note-1." + address + ">",
                ""));
        Eventually.await(() -> kernel.run(forgotten).status(), s -> s == RunStatus.COMPLETED);
        Eventually.await(() -> kernel.run(kept).status(), s -> s == RunStatus.COMPLETED);
        assertThat(correlated.started()).isEmpty();
        Eventually.await(() -> kernel.tasks(false), t -> t.stream()
                .anyMatch(task -> task.runId().equals(waiting)));
        extension
                .host
                .storage()
                .write(h -> h.update(
                        "INSERT INTO testext_notes VALUES (?, ?)",
                        address,
                        extension.host.cipher().seal(address, secret.getBytes(StandardCharsets.UTF_8))));

        var report = kernel.forget(address);
        assertThat(report.keysDestroyed()).isEqualTo(1);
        assertThat(report.runsScrubbed()).isEqualTo(2);
        assertThat(report.runsCancelled()).isEqualTo(1);
        assertThat(report.eventsUnreadable()).isEqualTo(2);
        assertThat(report.alreadyForgotten()).isFalse();
        String pseudonym = report.pseudonym();
        assertThat(pseudonym).startsWith("forgotten:").doesNotContain("ada").hasSize("forgotten:".length() + 24);

        assertThat(kernel.journal(forgotten))
                .allSatisfy(e -> assertThat(e.data().toString()).doesNotContain(secret));
        assertThat(kernel.journal(forgotten).getFirst().data().path("forgotten").asBoolean())
                .isTrue();
        assertThat(kernel.run(forgotten).context().toString()).doesNotContain("Dear");
        assertThat(kernel.run(forgotten).trigger().toString())
                .doesNotContain(secret)
                .doesNotContain(address);
        assertThat(kernel.run(forgotten).subject()).isEqualTo(pseudonym);
        assertThat(kernel.tasks(true).stream().filter(t -> t.runId().equals(waiting)))
                .allSatisfy(t ->
                        assertThat(t.title() + t.explanation() + t.proposed()).doesNotContain("ada"));
        assertThat(kernel.journal(kept).getFirst().data().toString()).contains(keptSecret);
        assertThat(extension.forgotten).containsExactly(address);
        assertThat(extension.host.cipher().isForgotten(address)).isTrue();
        assertThat(extension.host.cipher().isForgotten("bolt")).isFalse();
        assertThat(extension.host.feed().after(0, 0, 1000))
                .allSatisfy(i -> assertThat(i.subject()).isNotEqualTo(address))
                .filteredOn(i -> i.subject().equals(pseudonym))
                .hasSizeGreaterThan(2)
                .allSatisfy(i -> assertThat(i.payload().toString())
                        .doesNotContain(secret)
                        .doesNotContain(address));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> extension
                        .host
                        .storage()
                        .read(h -> h.queryOne(
                                "SELECT note FROM testext_notes",
                                r -> extension.host.cipher().open(pseudonym, r.bytes("note")))))
                .hasMessageContaining("forgotten");

        // The operator still finds what was forgotten by naming it: its runs are filed under the pseudonym.
        var check = kernel.forgotten(address);
        assertThat(check.forgotten()).isTrue();
        assertThat(check.pseudonym()).isEqualTo(pseudonym);
        assertThat(check.runs()).isEqualTo(2);
        assertThat(check.events()).isEqualTo(2);
        assertThat(check.seenSince()).isFalse();
        assertThat(kernel.forgotten("bolt").forgotten()).isFalse();
        assertThat(kernel.runs(RunQuery.all().withSubject(pseudonym)))
                .extracting(RunSummary::id)
                .containsExactlyInAnyOrder(forgotten, waiting);
        var again = kernel.forget(address);
        assertThat(again.alreadyForgotten()).isTrue();
        assertThat(again.pseudonym()).isEqualTo(pseudonym);
        assertThat(kernel.audit().since(java.time.Instant.EPOCH, 100))
                .filteredOn(e -> e.action().equals("subject.forget"))
                .extracting(AuditEntry::target)
                .containsExactly(pseudonym, pseudonym);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> kernel.send(new Event(
                        "e-9", "note.requested", pseudonym, "test", clock.instant(), JSON.objectNode(), "", "")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("forgotten:");

        // The sender delivers a forgotten event again: it is still a duplicate, and no work runs again.
        var redelivered = send("<note-1." + address + ">", address, true, secret, "");
        assertThat(redelivered.duplicate()).isTrue();
        assertThat(redelivered.started()).isEmpty();
        assertThat(kernel.forgotten(address).seenSince()).isFalse();

        // While the kernel still runs, the write-ahead log was emptied: it keeps no page from before.
        var wal = dir.resolve("data/aios.db-wal");
        if (Files.exists(wal)) {
            assertThat(new String(Files.readAllBytes(wal), StandardCharsets.ISO_8859_1))
                    .as("the write-ahead log right after forgetting")
                    .doesNotContain(secret)
                    .doesNotContain(address);
        }
        assertThat(kernel.verify().problems()).isEmpty();
        kernel.close();
        kernel = null;
        assertThat(Admin.rebuild(dir.resolve("data")).changedRows()).isZero();
        assertThat(Admin.verify(dir.resolve("data")).problems()).isEmpty();
        // The event about bolt now names the forgotten event it was correlated with by that event's pseudonym.
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/aios.db"));
                var rows =
                        db.createStatement().executeQuery("SELECT correlation_id FROM events WHERE id = 'other-1'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).startsWith("forgotten:").isNotEqualTo(pseudonym);
        }
        // Nothing of the secret, nor the address, nor the part of it before the @, is left in any file.
        try (var files = Files.walk(dir.resolve("data"))) {
            for (var path : files.filter(Files::isRegularFile).toList()) {
                String bytes = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1);
                for (String needle : List.of(secret, "ada.lovelace")) {
                    assertThat(around(bytes, needle))
                            .as(path.getFileName() + " holds " + needle)
                            .isEmpty();
                }
            }
        }
        // The scan does see plain text: the kept run's state holds its data in the clear.
        assertThat(new String(Files.readAllBytes(dir.resolve("data/aios.db")), StandardCharsets.ISO_8859_1))
                .contains(keptSecret);

        // A new event about the same address starts fresh: a new key, readable data, the old runs stay forgotten.
        start();
        String fresh = send("<note-3." + address + ">", address, true, "hello again");
        var done = Eventually.await(() -> kernel.run(fresh), r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.subject()).isEqualTo(address);
        assertThat(done.context().path("write").path("text").asText()).startsWith("Dear " + address);
        assertThat(kernel.journal(forgotten).getFirst().data().path("forgotten").asBoolean())
                .isTrue();
        assertThat(kernel.forgotten(address).seenSince()).isTrue();
        assertThat(extension.host.cipher().isForgotten(address)).isFalse();
        assertThat(kernel.verify().problems()).isEmpty();
        // Forgotten once more, the new generation joins the old under the same pseudonym.
        var second = kernel.forget(address);
        assertThat(second.pseudonym()).isEqualTo(pseudonym);
        assertThat(second.keysDestroyed()).isEqualTo(1);
        assertThat(kernel.forgotten(address).runs()).isEqualTo(3);
        assertThat(kernel.verify().problems()).isEmpty();
    }

    /** The printable text around the first place {@code needle} is in {@code bytes}, or "" if it is not. */
    static String around(String bytes, String needle) {
        int at = bytes.indexOf(needle);
        return at < 0
                ? ""
                : bytes.substring(Math.max(0, at - 120), Math.min(bytes.length(), at + needle.length() + 120))
                        .replaceAll("[^\\x20-\\x7e]", ".");
    }
}
