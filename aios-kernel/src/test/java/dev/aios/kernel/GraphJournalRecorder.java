package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.spi.Admission;
import dev.aios.kernel.spi.Escalation;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.StepPolicy;
import dev.aios.kernel.spi.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records, beside {@link JournalRecorder}'s, the journals of steps that hold others and of task
 * escalation: parallel branches (a join on any cancelling a branch and undoing it, a failed branch
 * undone with the run), forEach items and their join, child runs (waited for, not waited for, undone
 * with their parent), a conversation's turns, and an open task escalating until a default answer.
 * Every journal entry type is in some recording; {@code RecordedJournalsTest} checks that it stays so.
 *
 * <p>{@code mvn -pl aios-kernel -am test -Dtest=GraphJournalRecorder -Dsurefire.failIfNoSpecifiedTests=false
 * -Daios.recordJournals=DIR}, DIR a new directory (relative to {@code aios-kernel}); a file that
 * exists there is never overwritten.
 */
@EnabledIfSystemProperty(named = "aios.recordJournals", matches = ".+")
class GraphJournalRecorder extends RecordingSession {

    static final String FULFIL = """
            name: fulfil
            trigger: fulfil.requested
            steps:
              - id: both
                parallel:
                  pay:
                    - id: charge
                      agent: charge
                      input: { order: event.data.order, amount: event.data.amount }
                      compensate:
                        agent: refund
                        input: { order: steps.charge.order, reference: steps.charge.reference }
                    - id: settle
                      wait: { for: 30d }
                  pack:
                    - id: check
                      approval: { title: "Pack it?" }
                    - id: ship
                      agent: ship
                      input: { order: event.data.order, amount: event.data.amount }
                join: any
              - id: done
                emit:
                  type: order.fulfilled
                  data: { order: event.data.order }
            """;

    static final String BATCH = """
            name: batch
            trigger: batch.requested
            steps:
              - id: each
                forEach: event.data.orders
                as: o
                concurrency: 2
                steps:
                  - id: ship
                    agent: ship
                    input: { order: o, amount: 1 }
              - id: tally
                emit:
                  type: batch.shipped
                  data: { count: size(steps.each) }
            """;

    static final String PAY_ORDER = """
            name: pay-order
            trigger: payment.requested
            steps:
              - id: charge
                agent: charge
                input: { order: event.data.order, amount: event.data.amount }
                compensate:
                  agent: refund
                  input: { order: steps.charge.order, reference: steps.charge.reference }
            """;

    static final String NOTE_SALE = """
            name: note-sale
            trigger: sale.noted
            steps:
              - id: note
                agent: remind
                input: { text: event.data.text }
            """;

    static final String SALE = """
            name: sale
            trigger: sale.closed
            defaults:
              onFailure: compensate
              retry: { attempts: 1 }
            steps:
              - id: pay
                call:
                  playbook: pay-order
                  input: { order: event.data.order, amount: event.data.amount }
                  wait: true
              - id: notify
                call:
                  playbook: note-sale
                  input: { text: event.data.order }
                  wait: false
              - id: ship
                agent: ship
                input: { order: event.data.order, amount: event.data.amount }
            """;

    static final String DEBATE = """
            name: debate
            trigger: debate.requested
            steps:
              - id: talk
                conversation:
                  agents:
                    - name: first
                      agent: remind
                      input: { text: "event.data.topic + ' ' + string(size(transcript))" }
                    - name: second
                      agent: remind
                      input: { text: last.output.text }
                  until: last.speaker == 'second' && size(transcript) >= 4
                  maxTurns: 6
            """;

    static final String SIGNOFF = """
            name: signoff
            trigger: signoff.requested
            steps:
              - id: go
                approval: { title: "Sign it off?" }
              - id: ship
                agent: ship
                input: { order: event.subject, amount: 1 }
            """;

    /** Plans an escalation of every task 4 hours after it opens: a reminder, then a default approval. */
    static final class Escalating implements StepPolicy, Extension {
        final TestClock clock;

        Escalating(TestClock clock) {
            this.clock = clock;
        }

        @Override
        public void attach(ExtensionHost host) {
            host.stepPolicy(this);
        }

        @Override
        public Admission admit(StepFacts step) {
            return new Admission.Run(Json.object().put("state", "on"));
        }

        @Override
        public Verdict judge(StepFacts step, JsonNode output, boolean playbookReview) {
            return new Verdict(Verdict.Decision.AUTO, "", "", Json.object().put("state", "auto"));
        }

        @Override
        public Optional<Instant> escalateAt(StepFacts step, String taskKind) {
            return Optional.of(clock.instant().plus(Duration.ofHours(4)));
        }

        @Override
        public Escalation escalate(TaskView task) {
            if (task.escalations().size() < 2) {
                return new Escalation(
                        "remind",
                        "reminded the operator by mail",
                        Json.object().put("to", "operator@example.com"),
                        Optional.of(clock.instant().plus(Duration.ofDays(1))),
                        Optional.empty());
            }
            return new Escalation(
                    "default",
                    "approved by default after a day",
                    Json.object(),
                    Optional.empty(),
                    Optional.of(new Escalation.Answer(true, Optional.empty(), "default of the sign-off rule")));
        }
    }

    void open(String name, String... playbooks) throws Exception {
        open(name, Optional.empty(), playbooks);
    }

    void open(String name, Optional<Extension> extension, String... playbooks) throws Exception {
        var files = new LinkedHashMap<String, String>();
        for (int i = 0; i < playbooks.length; i++) {
            files.put("p" + i + ".yaml", playbooks[i]);
        }
        start(name, files, builder -> {
            builder.agent(new JournalRecorder.Charge())
                    .agent(new JournalRecorder.Refund())
                    .agent(new JournalRecorder.Ship())
                    .agent(new JournalRecorder.Reminder());
            extension.ifPresent(builder::extension);
            return builder;
        });
    }

    static boolean stepIs(RunView run, String step, StepStatus status) {
        return run.steps().stream().anyMatch(s -> s.id().equals(step) && s.status() == status);
    }

    @Test
    void parallelBranches() throws Exception {
        open("parallel", FULFIL);
        String raced = order("fulfil.requested", "o-5", 5);
        until(raced, r -> stepIs(r, "both/pay/settle", StepStatus.WAITING) && hasOpenTask(raced));
        kernel.approve(openTask(raced).id(), Optional.empty(), "packed");
        until(raced, r -> r.status() == RunStatus.COMPLETED);

        String failed = order("fulfil.requested", "permanent", 7);
        until(failed, r -> stepIs(r, "both/pay/settle", StepStatus.WAITING) && hasOpenTask(failed));
        kernel.approve(openTask(failed).id(), Optional.empty(), "packed");
        until(failed, r -> r.status() == RunStatus.NEEDS_ATTENTION && hasOpenTask(failed));
        kernel.compensate(openTask(failed).id(), "cannot ship: refund");
        until(failed, r -> r.status() == RunStatus.COMPENSATED);
        save(
                "parallel-branches",
                "a join on any cancelling the slower branch and undoing its charge;"
                        + " a branch failing for good and the run undone, the other branch's charge with it");
    }

    @Test
    void forEachItems() throws Exception {
        open("foreach", BATCH);
        var orders = Json.mapper().createArrayNode().add("a-1").add("a-2").add("a-3");
        String batch = send("batch.requested", "shop", Json.object().set("orders", orders));
        until(batch, r -> r.status() == RunStatus.COMPLETED);
        String empty = send(
                "batch.requested",
                "shop",
                Json.object().set("orders", Json.mapper().createArrayNode()));
        until(empty, r -> r.status() == RunStatus.COMPLETED);
        save("foreach-items", "three items shipped two at a time and joined; an empty list");
    }

    @Test
    void childRuns() throws Exception {
        open("children", SALE, PAY_ORDER, NOTE_SALE);
        String sold = order("sale.closed", "o-7", 7);
        until(sold, r -> r.status() == RunStatus.COMPLETED);
        String undone = order("sale.closed", "permanent", 8);
        until(undone, r -> r.status() == RunStatus.COMPENSATED);
        for (String parent : List.copyOf(runs)) {
            for (var child : kernel.run(parent).children()) {
                until(child.run(), r -> r.status().isFinal());
            }
        }
        withChildren();
        save(
                "child-runs",
                "a child waited for and one not; a parent failing after both, undoing the child that"
                        + " charged and the child that had nothing to undo");
    }

    @Test
    void conversationTurns() throws Exception {
        open("conversation", DEBATE);
        String talk = send("debate.requested", "acme", Json.object().put("topic", "pricing"));
        until(talk, r -> r.status() == RunStatus.COMPLETED);
        save("conversation-turns", "two agents taking turns until the second has spoken twice");
    }

    @Test
    void escalatedTask() throws Exception {
        open("escalation", Optional.of(new Escalating(clock)), SIGNOFF);
        String run = send("signoff.requested", "o-8", Json.object());
        until(run, r -> hasOpenTask(run));
        var task = openTask(run);
        clock.advance(Duration.ofHours(5));
        kernel.wake();
        Eventually.await(() -> kernel.task(task.id()).escalations(), e -> e.size() == 2);
        clock.advance(Duration.ofDays(1));
        kernel.wake();
        until(run, r -> r.status() == RunStatus.COMPLETED);
        assertThat(kernel.task(task.id()).escalations())
                .extracting(e -> e.path("rail").asText())
                .containsExactly("plan", "remind", "default");
        save("escalated-task", "an approval planned to escalate, reminded, then approved by default");
    }

    /** Adds the runs' child runs (and theirs) to the recording. */
    void withChildren() {
        var all = new LinkedHashSet<String>();
        var todo = new ArrayList<>(runs);
        while (!todo.isEmpty()) {
            String run = todo.removeFirst();
            if (all.add(run)) {
                kernel.run(run).children().forEach(c -> todo.add(c.run()));
            }
        }
        runs.clear();
        runs.addAll(all);
    }
}
