package dev.aios.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.ModelRequest;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.models.ModelSettings.Budgets;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets stop spending before it happens; without a provider, prompt steps wait for the operator. */
class BudgetAndFallbackTest {
    static final String LEAD = PromptAgentTest.LEAD;

    @TempDir
    Path dir;

    ModelsHarness aios;

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void aCallOverTheRunBudgetIsNeverSentAndTheOperatorIsToldWhichLimitAndByHowMuch() throws Exception {
        aios = new ModelsHarness(dir);
        aios.start(
                aios.openAi().withBudgets(Budgets.NONE.withPerRun(new BigDecimal("0.0001"))), PromptAgentTest.PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"score\": 82, \"reason\": \"clear\", \"confidence\": 0.9}"));

        String run = aios.send("acme", LEAD);
        var task = aios.taskOf(run);

        assertThat(aios.provider.requests())
                .as("the scripted provider saw no request")
                .isEmpty();
        assertThat(task.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(task.title()).isEqualTo("Score the lead from Acme");
        // 1024 tokens out (the most the answer may take) at $0.60 per million, plus the prompt in
        assertThat(task.explanation())
                .contains("not made")
                .contains("per-run budget of $0.0001")
                .containsPattern("would pass the per-run budget of \\$0\\.0001 by \\$0\\.000[0-9]+");
        assertThat(task.proposed().path("reason").asText()).isEqualTo("Acme needs a brand refresh");
        assertThat(task.proposed().path("score").asInt()).isEqualTo(50);

        aios.kernel.approve(
                task.id(),
                Optional.of(ModelsHarness.json("{\"score\": 75, \"reason\": \"by hand\", \"confidence\": 1}")),
                "");
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("score").path("reason").asText()).isEqualTo("by hand");
        assertThat(aios.models.costs(Optional.empty(), Optional.empty()).total().calls())
                .isZero();
    }

    @Test
    void theDailyAndPerAgentBudgetsCountWhatWasAlreadySpent() {
        aios = new ModelsHarness(dir);
        aios.start(
                aios.openAi()
                        .withBudgets(new Budgets(
                                Optional.empty(),
                                Optional.empty(),
                                Optional.of(new BigDecimal("5")),
                                Map.of("score-lead", new BigDecimal("0.001")))),
                PromptAgentTest.PLAYBOOK);
        aios.provider.enqueue(Reply.json("{\"score\": 82, \"reason\": \"clear\", \"confidence\": 0.9}", 1200, 300));
        String first = aios.send("acme", LEAD);
        aios.until(first, r -> r.status() == RunStatus.COMPLETED);

        String second = aios.send("bolt", "{\"company\": \"Bolt\", \"need\": \"a logo\"}");
        var task = aios.taskOf(second);

        assertThat(aios.provider.requests()).hasSize(1);
        assertThat(task.explanation())
                .contains("per-agent (score-lead, per day) budget of $0.001")
                .contains("($0.00036 already spent)");
    }

    @Test
    void withoutAProviderAPromptStepBecomesADraftTheOperatorEditsAndApproves() throws Exception {
        aios = new ModelsHarness(dir);
        aios.start(ModelSettings.none(), PromptAgentTest.PLAYBOOK);

        String run = aios.send("acme", LEAD);
        var task = aios.taskOf(run);

        assertThat(task.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(task.title()).isEqualTo("Score the lead from Acme");
        assertThat(task.explanation())
                .contains("no model provider is configured")
                .contains("OPENAI_API_KEY");
        assertThat(task.proposed())
                .isEqualTo(ModelsHarness.json(
                        "{\"score\": 50, \"reason\": \"Acme needs a brand refresh\", \"confidence\": 1.0}"));

        aios.kernel.approve(task.id(), Optional.empty(), "looks right");
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("score").path("score").asInt()).isEqualTo(50);
    }

    /** A Java agent that asks the gateway directly. */
    static final class Summarize implements Agent<Summarize.Text, Summarize.Text> {
        record Text(String text) {}

        @Override
        public Contract<Text, Text> contract() {
            return Contract.of("summarize", "1", Text.class, Text.class).withEffects("openai");
        }

        @Override
        public Text run(Text input, AgentContext context) {
            var reply = context.model().complete(ModelRequest.of("small", "Summarize: " + input.text()));
            return new Text(reply.text());
        }
    }

    static final String SUMMARY_PLAYBOOK = """
            name: summaries
            trigger: lead.received
            steps:
              - id: summarize
                agent: summarize
                input: { text: event.data.need }
            """;

    @Test
    void javaAgentsUseTheSameGatewayAndAreStoppedByTheSameBudgets() {
        aios = new ModelsHarness(dir);
        aios.start(aios.openAi(), SUMMARY_PLAYBOOK, new Summarize());
        aios.provider.enqueue(Reply.text("A brand refresh."));
        String run = aios.send("acme", LEAD);
        var done = aios.until(run, r -> r.status() == RunStatus.COMPLETED);
        assertThat(done.context().path("summarize").path("text").asText()).isEqualTo("A brand refresh.");
        assertThat(aios.models.costs(Optional.empty(), Optional.empty()).byAgent())
                .extracting(CostReport.Line::key)
                .containsExactly("summarize");
        aios.close();

        aios = new ModelsHarness(dir.resolve("budgeted"));
        aios.start(
                aios.openAi().withBudgets(Budgets.NONE.withPerDay(new BigDecimal("0.0000001"))),
                SUMMARY_PLAYBOOK,
                new Summarize());
        String stopped = aios.send("acme", LEAD);
        var task = aios.taskOf(stopped);
        assertThat(task.kind()).isEqualTo(TaskKind.DEAD_LETTER);
        assertThat(task.explanation()).contains("per-day budget");
        assertThat(aios.provider.requests()).isEmpty();
    }
}
