package dev.aios.models;

import static dev.aios.models.ModelsHarness.models;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskKind;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prompt agents declared in a playbook, run by a real kernel through the real LangChain4j clients
 * against a provider scripted on the OpenAI and Anthropic wire formats.
 */
class PromptAgentTest {
    static final String PLAYBOOK = """
            name: leads
            trigger: lead.received
            defaults:
              retry: { attempts: 2, backoff: 1s, jitter: 0 }
            agents:
              - name: score-lead
                kind: prompt
                description: Scores a lead for the studio
                model: small
                system: "You score leads for a design studio."
                prompt: "Score the lead from {{input.company}}, who needs {{input.need}}."
                input:
                  type: object
                  properties: { company: { type: string }, need: { type: string } }
                  required: [company, need]
                output:
                  type: object
                  properties:
                    score: { type: integer, minimum: 0, maximum: 100 }
                    reason: { type: string }
                  required: [score, reason]
                draft:
                  score: 50
                  reason: "{{input.company}} needs {{input.need}}"
                title: "Score the lead from {{input.company}}"
            steps:
              - id: score
                agent: score-lead
                input: { company: event.data.company, need: event.data.need }
                approval:
                  when: output.confidence < 0.8
            """;

    static final String LEAD = "{\"company\": \"Acme\", \"need\": \"a brand refresh\"}";

    @TempDir
    Path dir;

    ModelsHarness aios;

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    @Test
    void aPromptAgentAnswersWithSchemaCheckedJsonAndItsCostIsInTheLedger() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(
                Reply.json("{\"score\": 82, \"reason\": \"clear need\", \"confidence\": 0.9}", 1200, 300));

        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        var output = done.context().path("score");
        assertThat(output.path("score").asInt()).isEqualTo(82);
        assertThat(output.path("confidence").asDouble()).isEqualTo(0.9);
        var request = aios.provider.requests().getFirst();
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.headers().get("authorization")).isEqualTo("Bearer sk-test");
        assertThat(request.body().path("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(request.body().toString()).contains("Score the lead from Acme, who needs a brand refresh.");
        var format = request.body().path("response_format");
        assertThat(format.path("type").asText()).isEqualTo("json_schema");
        assertThat(format.path("json_schema").path("schema").path("required").toString())
                .contains("score", "reason", "confidence");

        StepView step = done.steps().getFirst();
        assertThat(step.receipts()).singleElement().satisfies(receipt -> {
            assertThat(receipt.name()).isEqualTo("openai:chat");
            assertThat(receipt.result().path("request").toString()).contains("Score the lead from Acme");
            assertThat(receipt.result().path("completion").path("text").asText())
                    .contains("clear need");
            assertThat(receipt.result().path("usage").path("inputTokens").asLong())
                    .isEqualTo(1200);
            // gpt-4o-mini: $0.15 per million in, $0.60 per million out
            assertThat(new BigDecimal(receipt.result().path("costUsd").asText()))
                    .isEqualByComparingTo("0.00036");
            assertThat(receipt.result().path("cached").asBoolean()).isFalse();
        });
        assertThat(step.provenance()).singleElement().satisfies(note -> {
            assertThat(note.path("kind").asText()).isEqualTo("model");
            assertThat(note.path("detail").path("model").asText()).isEqualTo("gpt-4o-mini");
        });

        var costs = aios.models.costs(Optional.empty(), Optional.empty());
        assertThat(costs.total().calls()).isEqualTo(1);
        assertThat(costs.total().inputTokens()).isEqualTo(1200);
        assertThat(costs.total().costUsd()).isEqualByComparingTo("0.00036");
        assertThat(costs.byAgent()).singleElement().satisfies(line -> assertThat(line.key())
                .isEqualTo("score-lead"));
        assertThat(costs.byPlaybook()).singleElement().satisfies(line -> assertThat(line.key())
                .isEqualTo("leads"));
        assertThat(costs.byDay()).singleElement().satisfies(line -> assertThat(line.key())
                .isEqualTo("2026-03-02"));
        assertThat(aios.models
                        .costs(Optional.of(LocalDate.parse("2026-03-03")), Optional.empty())
                        .total()
                        .calls())
                .isZero();
        assertThat(aios.kernel.verify().problems()).isEmpty();
    }

    @Test
    void theSameAgentSpeaksAnthropicsMessagesFormat() {
        aios = new ModelsHarness(dir);
        aios.start(aios.anthropic(), PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"score\": 40, \"reason\": \"vague\", \"confidence\": 0.95}", 800, 100));

        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        assertThat(done.context().path("score").path("score").asInt()).isEqualTo(40);
        var request = aios.provider.requests().getFirst();
        assertThat(request.path()).isEqualTo("/v1/messages");
        assertThat(request.headers().get("x-api-key")).isEqualTo("sk-ant-test");
        assertThat(request.body().path("model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(request.body().path("system").toString()).contains("You score leads");
        assertThat(request.body()
                        .path("output_config")
                        .path("format")
                        .path("type")
                        .asText())
                .isEqualTo("json_schema");
        // claude-haiku-4-5: $1 per million in, $5 per million out
        assertThat(aios.models.costs(Optional.empty(), Optional.empty()).total().costUsd())
                .isEqualByComparingTo("0.0013");
    }

    @Test
    void anAnswerThatDoesNotMatchTheSchemaGetsOneRepairRequest() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(
                Reply.json("{\"score\": \"high\", \"confidence\": 0.9}"),
                Reply.json("{\"score\": 90, \"reason\": \"fixed\", \"confidence\": 0.9}"));

        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        assertThat(done.context().path("score").path("score").asInt()).isEqualTo(90);
        var requests = aios.provider.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(1).body().toString())
                .contains("does not match the required JSON Schema")
                .contains("$.score");
        var receipt = done.steps().getFirst().receipts().getFirst().result();
        assertThat(receipt.path("repair").path("first").asText()).contains("high");
        assertThat(done.steps().getFirst().attempts()).hasSize(1);
        var costs = aios.models.costs(Optional.empty(), Optional.empty()).total();
        assertThat(costs.calls()).as("both calls were paid for").isEqualTo(2);
    }

    @Test
    void twoBadAnswersFailTheAttemptAndTheRetryAsksAgainUntilTheStepIsParked() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        for (int i = 0; i < 4; i++) {
            aios.provider.enqueue(Reply.text("I think it is a good lead."));
        }

        String run = aios.send("acme", LEAD);
        var parked = aios.until(run, r -> r.status() == RunStatus.NEEDS_ATTENTION);

        assertThat(aios.provider.requests())
                .as("one repair per attempt, two attempts")
                .hasSize(4);
        var step = parked.steps().getFirst();
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.receipts())
                .as("a bad answer is not kept as the step's receipt")
                .isEmpty();
        var task = aios.taskOf(run);
        assertThat(task.kind()).isEqualTo(TaskKind.DEAD_LETTER);
        assertThat(task.explanation()).contains("does not match the schema").contains("not JSON");
    }

    @Test
    void aLowConfidenceOnTheSmallClassEscalatesToTheLargeOne() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(
                Reply.json("{\"score\": 55, \"reason\": \"unsure\", \"confidence\": 0.3}"),
                Reply.json("{\"score\": 70, \"reason\": \"considered\", \"confidence\": 0.85}"));

        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        assertThat(models(aios.provider.requests())).containsExactly("gpt-4o-mini", "gpt-4o");
        assertThat(done.context().path("score").path("score").asInt()).isEqualTo(70);
        assertThat(done.steps().getFirst().provenance())
                .extracting(note -> note.path("detail").path("class").asText())
                .containsExactly("small", "large");
    }

    @Test
    void theApprovalRuleSeesTheConfidenceOfTheAnswer() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"score\": 61, \"reason\": \"fair\", \"confidence\": 0.6}"));

        String run = aios.send("acme", LEAD);
        var task = aios.taskOf(run);

        assertThat(task.kind()).isEqualTo(TaskKind.REVIEW);
        assertThat(task.explanation()).contains("output.confidence < 0.8");
        assertThat(task.proposed().path("score").asInt()).isEqualTo(61);
    }

    @Test
    void anIdenticalRequestIsAnsweredFromTheCacheAtNoCostAndMarkedSo() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"score\": 82, \"reason\": \"clear\", \"confidence\": 0.9}"));

        String first = aios.send("acme", LEAD);
        aios.until(first, r -> r.status() == RunStatus.COMPLETED);
        String second = aios.send("acme", LEAD);
        var done = aios.until(second, r -> r.status() == RunStatus.COMPLETED);

        assertThat(aios.provider.requests()).hasSize(1);
        assertThat(done.context().path("score").path("score").asInt()).isEqualTo(82);
        var receipt = done.steps().getFirst().receipts().getFirst().result();
        assertThat(receipt.path("cached").asBoolean()).isTrue();
        assertThat(receipt.path("costUsd").asText()).isEqualTo("0");
        var costs = aios.models.costs(Optional.empty(), Optional.empty()).total();
        assertThat(costs.calls()).isEqualTo(2);
        assertThat(costs.cachedCalls()).isEqualTo(1);

        aios.kernel.forget("acme");
        String third = aios.send("acme", LEAD);
        aios.provider.enqueue(Reply.json("{\"score\": 80, \"reason\": \"again\", \"confidence\": 0.9}"));
        aios.until(third, r -> r.status() == RunStatus.COMPLETED);
        assertThat(aios.provider.requests())
                .as("forgetting the subject dropped its cached answers")
                .hasSize(2);
    }

    @Test
    void forgettingTheSubjectLeavesItsNameInNoFileButItsSpendIsStillCounted() throws Exception {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"score\": 82, \"reason\": \"clear\", \"confidence\": 0.9}"));
        String address = "ada.lovelace@acme.test";
        aios.until(aios.send(address, LEAD), r -> r.status() == RunStatus.COMPLETED);

        var report = aios.kernel.forget(address);

        var costs = aios.models.costs(Optional.empty(), Optional.empty()).total();
        assertThat(costs.calls())
                .as("the call stays in the ledger, under the pseudonym")
                .isEqualTo(1);
        aios.close();
        aios = null;
        try (var files = java.nio.file.Files.walk(dir.resolve("data"))) {
            for (var file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                assertThat(new String(
                                        java.nio.file.Files.readAllBytes(file),
                                        java.nio.charset.StandardCharsets.ISO_8859_1)
                                .contains("ada.lovelace"))
                        .as(file + " holds the forgotten address")
                        .isFalse();
            }
        }
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/aios.db"));
                var rows = db.createStatement().executeQuery("SELECT DISTINCT subject FROM models_ledger")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo(report.pseudonym());
        }
    }

    /** Looks a client up; fails once when asked to, after the model already asked for it. */
    static final class LookUpClient implements Agent<LookUpClient.Query, LookUpClient.Client> {
        record Query(String company) {}

        record Client(String company, int projects) {}

        final AtomicInteger calls = new AtomicInteger();
        final boolean failFirst;

        LookUpClient(boolean failFirst) {
            this.failFirst = failFirst;
        }

        @Override
        public Contract<Query, Client> contract() {
            return Contract.of("look-up-client", "1", Query.class, Client.class);
        }

        @Override
        public Client run(Query input, AgentContext context) {
            if (calls.incrementAndGet() == 1 && failFirst) {
                throw new IllegalStateException("the client database is restarting");
            }
            return new Client(input.company(), 3);
        }
    }

    static final String TOOL_PLAYBOOK = PLAYBOOK.replace("    title: \"Score the lead from {{input.company}}\"\n", """
                title: "Score the lead from {{input.company}}"
                tools:
                  - agent: look-up-client
                    description: What the studio knows about a client
                    input:
                      type: object
                      properties: { company: { type: string } }
                      required: [company]
            """);

    @Test
    void aModelCallsAnotherAgentAsAToolAndEachCallIsJournaled() {
        var tool = new LookUpClient(false);
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), TOOL_PLAYBOOK, tool);
        aios.provider.enqueue(
                Reply.toolCall("look-up-client", "{\"company\": \"Acme\"}"),
                Reply.json("{\"score\": 95, \"reason\": \"returning client\", \"confidence\": 0.9}"));

        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        assertThat(done.context().path("score").path("score").asInt()).isEqualTo(95);
        var requests = aios.provider.requests();
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).body().path("tools").toString()).contains("look-up-client", "company");
        assertThat(requests.get(1).body().toString()).contains("\\\"projects\\\":3");
        assertThat(done.steps().getFirst().receipts())
                .extracting(r -> r.name())
                .containsExactly("openai:chat", "agent:look-up-client", "openai:chat");
        assertThat(tool.calls.get()).isEqualTo(1);
    }

    @Test
    void aStepThatRunsAgainReplaysItsRecordedModelCallsInsteadOfCallingAgain() {
        var tool = new LookUpClient(true);
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), TOOL_PLAYBOOK, tool);
        aios.provider.enqueue(
                Reply.toolCall("look-up-client", "{\"company\": \"Acme\"}"),
                Reply.json("{\"score\": 95, \"reason\": \"returning client\", \"confidence\": 0.9}"));

        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);

        var step = done.steps().getFirst();
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().getFirst().error()).get().asString().contains("client database is restarting");
        assertThat(aios.provider.requests())
                .as("the second attempt took the first call from its receipt")
                .hasSize(2);
        assertThat(aios.models.costs(Optional.empty(), Optional.empty()).total().calls())
                .isEqualTo(2);
        assertThat(aios.kernel.replay(run, true).divergences()).isEmpty();
        assertThat(aios.provider.requests())
                .as("replaying a run calls no model")
                .hasSize(2);
    }
}
