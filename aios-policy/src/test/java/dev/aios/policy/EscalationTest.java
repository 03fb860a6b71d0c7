package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.Eventually;
import dev.aios.kernel.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Escalation rails, with reminders and delegations delivered to a real webhook receiver. */
class EscalationTest {
    @TempDir
    Path dir;

    WebhookReceiver hook;
    PolicyHarness aios;

    @BeforeEach
    void receiver() {
        hook = new WebhookReceiver();
    }

    @AfterEach
    void close() {
        if (aios != null) {
            aios.close();
        }
        hook.close();
    }

    String policy(String extra) {
        return """
                notify:
                  me: { webhook: "%s" }
                  ann-inbox: { webhook: "%s" }
                gates:
                  - { name: review-quotes, when: "agent == 'draft-quote'", decide: approve }
                escalation:
                  contractors:
                    ann: { notify: ann-inbox, kinds: [review] }
                  rules:
                    - name: quotes-within-a-day
                      when: "task.kind == 'review'"
                      steps:
                        - { after: 4h, remind: me }
                        - { after: 1d, delegate: ann }
                        - { after: 3d, default: approve }
                """.formatted(hook.url(), hook.url() + "/ann") + extra;
    }

    void advance(Duration by) {
        aios.clock.advance(by);
        aios.kernel.wake();
    }

    void escalations(String task, int count) {
        Eventually.await(() -> aios.kernel.task(task).escalations().size(), n -> n == count);
    }

    @Test
    void anUnansweredReviewIsRemindedThenDelegatedThenApprovedByDefault() {
        aios = new PolicyHarness(dir, policy(""));
        var run = aios.lead("acme", 1000);
        var task = aios.openTask(run).orElseThrow();

        // Each step is awaited in the task's history before the clock moves on, as a clock would.
        advance(Duration.ofHours(5));
        escalations(task.id(), 2);
        advance(Duration.ofHours(20));
        escalations(task.id(), 3);
        advance(Duration.ofDays(2));
        var answered = Eventually.await(() -> aios.kernel.task(task.id()), t -> t.status() == TaskStatus.APPROVED);

        assertThat(hook.received.get(0).body().path("title").asText()).startsWith("Waiting for you");
        assertThat(hook.received.get(0).idempotencyKey()).isEqualTo(task.id() + ":escalation:0");
        assertThat(hook.received.get(1).body().path("title").asText()).startsWith("Delegated to you");
        assertThat(answered.escalations())
                .extracting(e -> e.path("rail").asText())
                .containsExactly("plan", "remind", "delegate", "default");
        assertThat(answered.escalations().get(2).path("detail").path("scope").asText())
                .isEqualTo("task:review");
        assertThat(answered.resolution().orElseThrow().path("comment").asText()).contains("quotes-within-a-day");
        aios.completed(run);
        // Nobody answered it: the audit log says the kernel gave the default, not a local operator.
        assertThat(aios.kernel.audit().since(java.time.Instant.EPOCH, 100))
                .filteredOn(e -> e.target().equals(task.id()))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.action()).isEqualTo("task.approve");
                    assertThat(e.actor()).isEqualTo(dev.aios.kernel.Actor.KERNEL);
                });
    }

    @Test
    void aTaskLongerThanTheOperatorHasGoesToTheContractorAtOnce() {
        aios = new PolicyHarness(dir, policy("""
                  estimates: { review: 30m }
                  delegateLongerThan: 15m
                """));
        var task = aios.openTask(aios.lead("acme", 1000)).orElseThrow();

        Eventually.await(() -> hook.received.size(), n -> n == 1);

        var delegated = Eventually.await(
                () -> aios.kernel.task(task.id()), t -> t.escalations().size() == 2);
        assertThat(delegated.escalations().get(1).path("note").asText())
                .contains("delegated to ann")
                .contains("estimated 30m");
    }

    @Test
    void aReminderThatCannotBeDeliveredIsTriedAgainAndSaysWhy() {
        hook.status.set(503);
        aios = new PolicyHarness(dir, policy(""));
        var task = aios.openTask(aios.lead("acme", 1000)).orElseThrow();

        advance(Duration.ofHours(5));
        escalations(task.id(), 2);
        var failed = aios.kernel.task(task.id());
        hook.status.set(200);
        advance(Duration.ofMinutes(16));

        assertThat(failed.escalations().get(1).path("note").asText()).contains("HTTP 503");
        Eventually.await(() -> hook.received.size(), n -> n == 1);
        assertThat(Eventually.await(
                                () -> aios.kernel.task(task.id()),
                                t -> t.escalations().size() == 3)
                        .escalations()
                        .get(2)
                        .path("rail")
                        .asText())
                .isEqualTo("remind");
    }
}
