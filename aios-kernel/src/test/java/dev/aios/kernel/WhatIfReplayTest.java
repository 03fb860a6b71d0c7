package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.WhatIfReport.Divergence;
import dev.aios.kernel.WhatIfReport.Divergence.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator changes a playbook and replays finished runs against the new version before trusting
 * it: where would it branch differently, which step would get another input, which step is new. No
 * agent is called by the replay.
 */
class WhatIfReplayTest {
    record Lead(String company, int budget) {}

    record Score(int score) {}

    record Note(String text) {}

    static final AtomicInteger CALLS = new AtomicInteger();

    static final class Scorer implements Agent<Lead, Score> {
        @Override
        public Contract<Lead, Score> contract() {
            return Contract.of("score-lead", "1.0.0", Lead.class, Score.class);
        }

        @Override
        public Score run(Lead input, AgentContext context) {
            CALLS.incrementAndGet();
            return new Score(Math.min(100, input.budget() / 100));
        }
    }

    static final class Welcomer implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("welcome", "1.0.0", Note.class, Note.class);
        }

        @Override
        public Note run(Note input, AgentContext context) {
            CALLS.incrementAndGet();
            return new Note("welcome, " + input.text());
        }
    }

    static final String V1 = """
            name: triage
            trigger: lead.received
            steps:
              - id: score
                agent: score-lead
                input:
                  company: event.subject
                  budget: event.data.budget
              - id: route
                branch:
                  - when: steps.score.score >= 50
                    goto: big
                otherwise: small
              - id: big
                emit: { type: lead.big, data: { score: steps.score.score } }
                next: end
              - id: small
                emit: lead.small
            """;

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/triage.yaml"), V1);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .agent(new Scorer())
                .agent(new Welcomer())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    String finishedRun(int budget) throws Exception {
        var accepted = kernel.send(new Event(
                UUID.randomUUID().toString(),
                "lead.received",
                "acme",
                "test",
                java.time.Instant.now(),
                JSON.readTree("{\"budget\": " + budget + "}"),
                "",
                ""));
        var runId = accepted.started().getFirst();
        Eventually.await(() -> kernel.run(runId), r -> r.status() == RunStatus.COMPLETED);
        return runId;
    }

    String load(String yaml) throws Exception {
        Files.writeString(dir.resolve("playbooks/triage.yaml"), yaml);
        var report = kernel.reloadPlaybooks();
        assertThat(report.refused()).isEmpty();
        return report.loaded().stream()
                .filter(p -> p.name().equals("triage"))
                .findFirst()
                .orElseThrow()
                .version();
    }

    @Test
    void aChangedThresholdShowsTheBranchTheRunWouldTakeWithoutCallingAnyAgent() throws Exception {
        var runId = finishedRun(8000);
        var v1 = kernel.run(runId).version();
        var v2 = load(V1.replace("steps.score.score >= 50", "steps.score.score >= 90"));
        int calls = CALLS.get();

        var report = kernel.replay(runId, "triage@" + v2);

        assertThat(CALLS.get()).as("no agent is called").isEqualTo(calls);
        assertThat(report.recordedVersion()).isEqualTo(v1);
        assertThat(report.againstVersion()).isEqualTo(v2);
        assertThat(report.outcome()).isEqualTo("diverges");
        assertThat(report.divergences())
                .extracting(Divergence::step, Divergence::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("route", Kind.BRANCH),
                        org.assertj.core.groups.Tuple.tuple("small", Kind.STEP_ADDED),
                        org.assertj.core.groups.Tuple.tuple("big", Kind.STEP_NOT_REACHED));
        assertThat(report.divergences().getFirst().detail())
                .isEqualTo("would go to step 'small' (otherwise) instead of 'big'");

        var same = kernel.replay(runId, v1);
        assertThat(same.same()).isTrue();
        assertThat(same.outcome()).isEqualTo("same");
        assertThat(same.stepsCompared()).isEqualTo(3);
    }

    @Test
    void aChangedInputIsShownFieldByField() throws Exception {
        var runId = finishedRun(8000);
        var v2 = load(V1.replace("budget: event.data.budget", "budget: event.data.budget * 2"));

        var report = kernel.replay(runId, v2);

        assertThat(report.divergences()).singleElement().satisfies(d -> {
            assertThat(d.step()).isEqualTo("score");
            assertThat(d.kind()).isEqualTo(Kind.INPUT_CHANGED);
            assertThat(d.detail()).isEqualTo("would get budget = 16000 instead of 8000");
            assertThat(d.recorded().path("budget").asInt()).isEqualTo(8000);
            assertThat(d.wouldBe().path("budget").asInt()).isEqualTo(16000);
        });
    }

    @Test
    void aNewAgentStepStopsTheReplayWhereNothingWasRecorded() throws Exception {
        var runId = finishedRun(8000);
        var v2 = load(V1.replace("""
                  - id: route
                """, """
                  - id: greet
                    agent: welcome
                    input: { text: event.subject }
                  - id: route
                """));
        int calls = CALLS.get();

        var report = kernel.replay(runId, v2);

        assertThat(CALLS.get()).isEqualTo(calls);
        assertThat(report.outcome()).isEqualTo("stopped");
        assertThat(report.divergences()).singleElement().satisfies(d -> {
            assertThat(d.step()).isEqualTo("greet");
            assertThat(d.kind()).isEqualTo(Kind.STEP_NOT_RECORDED);
            assertThat(d.detail()).contains("calls agent 'welcome'").contains("never did");
        });
    }

    @Test
    void aDiffListsTheChangedStepsAndTheRunsThatWouldBehaveDifferently() throws Exception {
        var rich = finishedRun(9500);
        var middle = finishedRun(7000);
        var poor = finishedRun(1000);
        var v1 = kernel.run(poor).version();
        var changed = V1.replace("steps.score.score >= 50", "steps.score.score >= 90");

        var before = kernel.diffAgainstYaml("triage", "triage.yaml (edited)", changed, 10);
        assertThat(before.from()).isEqualTo(v1);
        assertThat(before.differing()).extracting(WhatIfReport::runId).containsExactly(middle);
        assertThat(kernel.playbooks())
                .filteredOn(p -> p.active() && p.name().equals("triage"))
                .extracting(PlaybookInfo::version)
                .as("comparing with a file does not load it")
                .containsExactly(v1);

        var v2 = load(changed);
        var diff = kernel.diff("triage@" + v1, "triage@" + v2, 10);

        assertThat(diff.changed()).containsExactly("route");
        assertThat(diff.added()).isEmpty();
        assertThat(diff.removed()).isEmpty();
        assertThat(diff.runs()).extracting(WhatIfReport::runId).containsExactlyInAnyOrder(rich, middle, poor);
        assertThat(diff.differing()).extracting(WhatIfReport::runId).containsExactly(middle);
    }

    @Test
    void aForEachIsReplayedItemByItem() throws Exception {
        var each = """
                name: triage
                trigger: lead.received
                steps:
                  - id: score
                    forEach: event.data.budgets
                    as: budget
                    concurrency: 2
                    collect: steps.one.score
                    steps:
                      - id: one
                        agent: score-lead
                        input: { company: event.subject, budget: budget }
                  - id: route
                    branch:
                      - when: steps.score.all(s, s >= 50)
                        goto: big
                    otherwise: small
                  - id: big
                    emit: lead.big
                    next: end
                  - id: small
                    emit: lead.small
                """;
        load(each);
        var accepted = kernel.send(new Event(
                UUID.randomUUID().toString(),
                "lead.received",
                "acme",
                "test",
                java.time.Instant.now(),
                JSON.readTree("{\"budgets\": [6000, 7000, 8000]}"),
                "",
                ""));
        var runId = accepted.started().getFirst();
        Eventually.await(() -> kernel.run(runId), r -> r.status() == RunStatus.COMPLETED);

        assertThat(kernel.replay(runId, load(each.replace("steps.one.score", "steps.one.score + 0")))
                        .same())
                .isTrue();
        var stricter = kernel.replay(runId, load(each.replace("s >= 50", "s >= 75")));
        assertThat(stricter.divergences())
                .extracting(Divergence::step, Divergence::kind)
                .contains(org.assertj.core.groups.Tuple.tuple("route", Kind.BRANCH));
        var doubled = kernel.replay(runId, load(each.replace("budget: budget }", "budget: budget * 2 }")));
        assertThat(doubled.divergences())
                .extracting(Divergence::step)
                .containsExactly("score[0]/one", "score[1]/one", "score[2]/one");
    }

    @Test
    void onlyAFinishedRunOfTheSamePlaybookCanBeReplayed() throws Exception {
        var runId = finishedRun(8000);
        assertThatThrownBy(() -> kernel.replay(runId, "other@abc"))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining("other@abc is not loaded");
        assertThatThrownBy(() -> kernel.replay("r-nope", "triage@abc")).isInstanceOf(NotFoundException.class);
    }
}
