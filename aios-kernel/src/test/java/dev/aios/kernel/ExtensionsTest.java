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
    }

    /** An extension with a notebook service, a "template" agent kind, storage and listeners. */
    static final class TestExtension implements Extension {
        final List<FeedItem> feed = new CopyOnWriteArrayList<>();
        final List<String> forgotten = new CopyOnWriteArrayList<>();
        final AtomicInteger toolRuns = new AtomicInteger();
        ExtensionHost host;

        @Override
        public void attach(ExtensionHost host) {
            this.host = host;
            host.storage().migrate("testext", "classpath:db/testext");
            host.listen(feed::addAll);
            host.onForget(forgotten::add);
            host.service(new StepService<Notebook>() {
                @Override
                public Class<Notebook> type() {
                    return Notebook.class;
                }

                @Override
                public Notebook open(StepScope scope) {
                    return topic -> {
                        scope.note(
                                "recall", JSON.objectNode().put("topic", topic).put("item", "n-1@3"));
                        return "notes about " + topic;
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
                    Set.of(),
                    Duration.ofSeconds(5));
        }

        @Override
        public JsonNode run(JsonNode input, AgentContext context) throws Exception {
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
        var data = JSON.objectNode().put("ready", ready).put("secret", secret);
        return kernel.send(new Event(
                        UUID.randomUUID().toString(), "note.requested", subject, "test", clock.instant(), data, "", ""))
                .started()
                .getFirst();
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
    void forgettingASubjectLeavesNothingReadableButTheJournalStillVerifies() throws Exception {
        start();
        String secret = "ZEBRA-" + UUID.randomUUID();
        String forgotten = send("acme", true, secret);
        String keptSecret = "OKAPI-" + UUID.randomUUID();
        String kept = send("bolt", true, keptSecret);
        Eventually.await(() -> kernel.run(forgotten).status(), s -> s == RunStatus.COMPLETED);
        Eventually.await(() -> kernel.run(kept).status(), s -> s == RunStatus.COMPLETED);
        extension
                .host
                .storage()
                .write(h -> h.update(
                        "INSERT INTO testext_notes VALUES (?, ?)",
                        "acme",
                        extension.host.cipher().seal("acme", secret.getBytes(StandardCharsets.UTF_8))));

        var report = kernel.forget("acme");
        assertThat(report.keysDestroyed()).isEqualTo(1);
        assertThat(report.runsScrubbed()).isEqualTo(1);

        assertThat(kernel.journal(forgotten))
                .allSatisfy(e -> assertThat(e.data().toString()).doesNotContain(secret));
        assertThat(kernel.journal(forgotten).getFirst().data().path("forgotten").asBoolean())
                .isTrue();
        assertThat(kernel.run(forgotten).context().toString()).doesNotContain("Dear acme");
        assertThat(kernel.run(forgotten).trigger().toString()).doesNotContain(secret);
        assertThat(kernel.journal(kept).getFirst().data().toString()).contains(keptSecret);
        assertThat(extension.forgotten).containsExactly("acme");
        assertThat(extension.host.cipher().isForgotten("acme")).isTrue();
        assertThat(extension.host.feed().after(0, 0, 1000))
                .filteredOn(i -> i.subject().equals("acme"))
                .allSatisfy(i -> assertThat(i.payload().toString()).doesNotContain(secret));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> extension
                        .host
                        .storage()
                        .read(h -> h.queryOne(
                                "SELECT note FROM testext_notes",
                                r -> extension.host.cipher().open("acme", r.bytes("note")))))
                .hasMessageContaining("forgotten");

        // While the kernel still runs, the write-ahead log was emptied: it keeps no page from before.
        var wal = dir.resolve("data/aios.db-wal");
        if (Files.exists(wal)) {
            assertThat(new String(Files.readAllBytes(wal), StandardCharsets.ISO_8859_1))
                    .as("the write-ahead log right after forgetting")
                    .doesNotContain(secret);
        }
        assertThat(kernel.verify().problems()).isEmpty();
        kernel.close();
        kernel = null;
        assertThat(Admin.rebuild(dir.resolve("data")).changedRows()).isZero();
        // Nothing of the secret is left anywhere in the database files.
        for (var file : List.of("aios.db", "aios.db-wal")) {
            var path = dir.resolve("data").resolve(file);
            if (Files.exists(path)) {
                assertThat(new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1))
                        .as(file)
                        .doesNotContain(secret);
            }
        }
        // The scan does see plain text: the kept run's state holds its data in the clear.
        assertThat(new String(Files.readAllBytes(dir.resolve("data/aios.db")), StandardCharsets.ISO_8859_1))
                .contains(keptSecret);
    }
}
