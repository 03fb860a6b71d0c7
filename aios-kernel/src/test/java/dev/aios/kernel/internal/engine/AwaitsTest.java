package dev.aios.kernel.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Limits;
import dev.aios.kernel.MasterKeySource;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwaitsTest {
    static final String PLAYBOOK = """
            name: payment
            trigger: order.placed
            steps:
              - id: paid
                await: { event: order.paid, timeout: P7D, onTimeout: end }
                next: end
            """;

    @TempDir
    Path dir;

    Engine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    Engine open() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/payment.yaml"), PLAYBOOK);
        return started();
    }

    Engine started() {
        var config = new EngineConfig(
                dir.resolve("data"),
                InstantSource.system(),
                List.of(),
                false,
                new java.util.concurrent.CopyOnWriteArrayList<>(),
                Optional.of(dir.resolve("playbooks")),
                false,
                4,
                Duration.ofMillis(20),
                Map.of(),
                List.of(),
                problem -> {},
                Limits.DEFAULT,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
                io.opentelemetry.api.OpenTelemetry.noop(),
                Optional.empty(),
                MasterKeySource.of(Map.of("AIOS_KEYRING", "0")));
        var opened = Engine.open(config);
        opened.start();
        return opened;
    }

    /** The run's step {@code paid} once it waits. */
    dev.aios.kernel.StepView waitingToBePaid(String runId) {
        return Eventually.await(() -> engine.run(runId), r -> r.steps().stream()
                        .anyMatch(s -> s.id().equals("paid") && s.status() == StepStatus.WAITING))
                .steps()
                .stream()
                .filter(s -> s.id().equals("paid"))
                .findFirst()
                .orElseThrow();
    }

    static Event event(String type) {
        return new Event(
                java.util.UUID.randomUUID().toString(),
                type,
                "acme",
                "test",
                Instant.now(),
                JsonNodeFactory.instance.objectNode(),
                "",
                "");
    }

    @Test
    void theSenderIsToldOfTheRunItsEventResumedThoughABackgroundPassResumedItFirst() throws Exception {
        engine = open();
        String runId = engine.send(event("order.placed")).started().getFirst();
        var waiting = waitingToBePaid(runId);

        // The sender lists the run as waiting; then a background pass resumes it with the
        // sender's event before the sender's own pass reaches it.
        engine.awaits().afterListing = () -> Eventually.await(
                () -> {
                    engine.awaits().schedule(runId, "paid", waiting.iteration());
                    return engine.run(runId);
                },
                r -> r.steps().stream().anyMatch(s -> s.id().equals("paid") && s.status() == StepStatus.COMPLETED));

        var accepted = engine.send(event("order.paid"));

        assertThat(accepted.resumed()).containsExactly(runId);
        assertThat(Eventually.await(() -> engine.run(runId), r -> r.status() == RunStatus.COMPLETED)
                        .status())
                .isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void anEventOfATypeAwaitedOnlyByAPlaybookLoadedLaterResumesItsRuns() throws Exception {
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/payment.yaml"), PLAYBOOK.replace("order.paid", "order.shipped"));
        engine = started();
        assertThat(engine.send(event("order.paid")).resumed()).isEmpty();

        Files.writeString(dir.resolve("playbooks/payment.yaml"), PLAYBOOK);
        assertThat(engine.reloadPlaybooks().refused()).isEmpty();
        String runId = engine.send(event("order.placed")).started().getFirst();
        Eventually.await(() -> engine.run(runId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("paid") && s.status() == StepStatus.WAITING));

        assertThat(engine.send(event("order.paid")).resumed()).containsExactly(runId);
    }

    @Test
    void aCatchUpAskedForAsTheKernelStopsFailsNothing() throws Exception {
        engine = open();
        String runId = engine.send(event("order.placed")).started().getFirst();
        var waiting = waitingToBePaid(runId);
        engine.send(event("order.paid"));

        // A step committing while the kernel stops asks for catch-ups after its commit (the log of
        // a stop under load held one warning with a stack trace for each): nothing to do by then, the
        // sweep of the next start reads every waiting run behind the events.
        engine.awaits().close();
        engine.awaits().schedule("order.paid");
        engine.awaits().schedule(runId, "paid", waiting.iteration());
        engine.close();

        engine = started();
        assertThat(Eventually.await(() -> engine.run(runId), r -> r.status() == RunStatus.COMPLETED)
                        .status())
                .isEqualTo(RunStatus.COMPLETED);
    }

    @Test
    void aRunResumedByAnotherEventIsNotNamed() throws Exception {
        engine = open();
        String runId = engine.send(event("order.placed")).started().getFirst();
        Eventually.await(() -> engine.run(runId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("paid") && s.status() == StepStatus.WAITING));
        var first = engine.send(event("order.paid"));
        var second = engine.send(event("order.paid"));

        assertThat(first.resumed()).containsExactly(runId);
        assertThat(second.resumed()).isEmpty();
    }
}
