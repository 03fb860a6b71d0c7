package dev.aios.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.PermanentFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Child playbooks: a call step starts a run of another playbook pinned to its active version, both
 * runs know each other, the child's outputs become the step's output, and cancelling or undoing
 * the parent reaches the children.
 */
class ChildRunTest {
    record Asset(String name) {}

    record Made(String name, String run) {}

    static final List<String> LOG = new CopyOnWriteArrayList<>();

    static final class Make implements Agent<Asset, Made> {
        @Override
        public Contract<Asset, Made> contract() {
            return Contract.of("make", "1.0.0", Asset.class, Made.class);
        }

        @Override
        public Made run(Asset input, AgentContext ctx) {
            if (input.name().equals("broken")) {
                throw new PermanentFailure("asset 'broken' cannot be made");
            }
            LOG.add("make " + input.name() + " in " + ctx.playbook().name());
            return new Made(input.name(), ctx.runId());
        }
    }

    static final class Unmake implements Agent<Made, Made> {
        @Override
        public Contract<Made, Made> contract() {
            return Contract.of("unmake", "1.0.0", Made.class, Made.class);
        }

        @Override
        public Made run(Made input, AgentContext ctx) {
            LOG.add("unmake " + input.name());
            return input;
        }
    }

    static final String CHILD = """
            name: deliver-asset
            trigger: asset.requested
            steps:
              - id: make
                agent: make
                input: { name: event.data.asset }
                compensate: { agent: unmake, input: { name: steps.make.name, run: steps.make.run } }
              - id: review
                wait:
                  for: event.data.?review.orValue('0s')
            """;

    static final String PARENT = """
            name: project
            trigger: project.started
            steps:
              - id: kickoff
                agent: make
                input: { name: "'kickoff'" }
                compensate: { agent: unmake, input: { name: steps.kickoff.name, run: steps.kickoff.run } }
              - id: deliver
                call:
                  playbook: deliver-asset
                  input:
                    asset: event.data.asset
                    review: event.data.?review.orValue('0s')
                  wait: true
              - id: wrap
                agent: make
                input: { name: "'wrap ' + steps.deliver.make.name" }
              - id: hold
                wait:
                  for: event.data.?hold.orValue('0s')
            """;

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    TestClock clock = new TestClock();
    Kernel kernel;

    @BeforeEach
    void start() throws Exception {
        LOG.clear();
        Files.createDirectories(dir.resolve("playbooks"));
        Files.writeString(dir.resolve("playbooks/child.yaml"), CHILD);
        Files.writeString(dir.resolve("playbooks/parent.yaml"), PARENT);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new Make())
                .agent(new Unmake())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
        assertThat(kernel.lastLoad().refused()).isEmpty();
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    String project(String data) throws Exception {
        return kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "project.started",
                        "acme",
                        "test",
                        clock.instant(),
                        JSON.readTree(data),
                        "",
                        ""))
                .started()
                .getFirst();
    }

    RunView await(String runId, RunStatus status) {
        return Eventually.await(() -> kernel.run(runId), r -> r.status() == status);
    }

    @Test
    void theChildsOutputsAreTheCallStepsOutputAndBothRunsAreLinked() throws Exception {
        var parentId = project("{\"asset\": \"logo\"}");

        var parent = await(parentId, RunStatus.COMPLETED);

        assertThat(parent.children()).singleElement().satisfies(child -> {
            assertThat(child.step()).isEqualTo("deliver");
            assertThat(child.playbook()).isEqualTo("deliver-asset");
            assertThat(child.status()).isEqualTo("completed");
        });
        var childId = parent.children().getFirst().run();
        var child = kernel.run(childId);
        assertThat(child.parent()).hasValueSatisfying(link -> {
            assertThat(link.run()).isEqualTo(parentId);
            assertThat(link.step()).isEqualTo("deliver");
        });
        assertThat(child.trigger().path("data").path("asset").asText()).isEqualTo("logo");
        assertThat(parent.context().path("deliver").path("make").path("run").asText())
                .isEqualTo(childId);
        assertThat(parent.context().path("wrap").path("name").asText()).isEqualTo("wrap logo");
        assertThat(child.version())
                .isEqualTo(kernel.playbooks().stream()
                        .filter(p -> p.name().equals("deliver-asset") && p.active())
                        .findFirst()
                        .orElseThrow()
                        .version());
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aChildThatEndsWithoutCompletingParksTheCallStep() throws Exception {
        var parentId = project("{\"asset\": \"broken\"}");
        var waiting =
                Eventually.await(() -> kernel.run(parentId), r -> r.children().size() == 1);
        var childId = waiting.children().getFirst().run();
        await(childId, RunStatus.NEEDS_ATTENTION);
        assertThat(kernel.run(parentId).status())
                .as("a child waiting for the operator is still going")
                .isEqualTo(RunStatus.WAITING);
        var childTask = kernel.tasks(false).stream()
                .filter(t -> t.runId().equals(childId))
                .findFirst()
                .orElseThrow();

        kernel.reject(childTask.id(), "cannot be made");

        await(parentId, RunStatus.NEEDS_ATTENTION);
        var parked = kernel.tasks(false).stream()
                .filter(t -> t.runId().equals(parentId))
                .findFirst()
                .orElseThrow();
        assertThat(parked.stepId()).isEqualTo("deliver");
        assertThat(parked.explanation()).contains("child run " + childId).contains("ended cancelled");

        kernel.skip(parked.id(), java.util.Optional.of(JSON.readTree("{\"make\": {\"name\": \"stock\"}}")), "");
        var parent = await(parentId, RunStatus.COMPLETED);
        assertThat(parent.context().path("wrap").path("name").asText()).isEqualTo("wrap stock");
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aCallThatDoesNotWaitGoesOnAtOnce() throws Exception {
        kernel.register(dev.aios.api.Playbook.builder("fire-and-forget")
                .trigger(dev.aios.api.Trigger.on("project.queued"))
                .step(dev.aios.api.CallStep.of("deliver", "deliver-asset")
                        .withInput("asset", "'banner'")
                        .withInput("review", "'1h'")
                        .withWait(false))
                .build());
        var parentId = kernel.send(new Event(
                        UUID.randomUUID().toString(),
                        "project.queued",
                        "acme",
                        "test",
                        clock.instant(),
                        JSON.readTree("{}"),
                        "",
                        ""))
                .started()
                .getFirst();

        var parent = await(parentId, RunStatus.COMPLETED);

        var childId = parent.context().path("deliver").path("run").asText();
        assertThat(parent.context().path("deliver").path("playbook").asText()).isEqualTo("deliver-asset");
        assertThat(await(childId, RunStatus.WAITING).parent()).isPresent();
        assertThat(parent.children()).extracting(RunLink::waits).containsExactly(false);
    }

    @Test
    void cancellingTheParentCancelsTheChildItWaitsFor() throws Exception {
        var parentId = project("{\"asset\": \"poster\", \"review\": \"1h\"}");
        var waiting = Eventually.await(
                () -> kernel.run(parentId),
                r -> r.children().size() == 1
                        && kernel.run(r.children().getFirst().run()).status() == RunStatus.WAITING);
        var childId = waiting.children().getFirst().run();

        kernel.cancel(parentId, "client left");

        await(parentId, RunStatus.COMPENSATED);
        var child = await(childId, RunStatus.COMPENSATED);
        assertThat(child.error()).hasValueSatisfying(e -> assertThat(e).contains(parentId));
        assertThat(LOG)
                .containsExactlyInAnyOrder(
                        "make kickoff in project", "make poster in deliver-asset", "unmake poster", "unmake kickoff");
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void undoingTheParentUndoesItsCompletedChildInReverseOrder() throws Exception {
        var parentId = project("{\"asset\": \"site\", \"hold\": \"1h\"}");
        var waiting = await(parentId, RunStatus.WAITING);
        Eventually.await(() -> kernel.run(parentId), r -> r.steps().stream()
                .anyMatch(s -> s.id().equals("hold") && s.status() == StepStatus.WAITING));
        var childId = waiting.children().getFirst().run();
        assertThat(kernel.run(childId).status()).isEqualTo(RunStatus.COMPLETED);

        kernel.cancel(parentId, "scope changed");

        await(parentId, RunStatus.COMPENSATED);
        var child = await(childId, RunStatus.COMPENSATED);
        assertThat(child.error()).hasValueSatisfying(e -> assertThat(e).contains(parentId));
        assertThat(LOG)
                .containsExactly(
                        "make kickoff in project",
                        "make site in deliver-asset",
                        "make wrap site in project",
                        "unmake site",
                        "unmake kickoff");
        assertThat(kernel.verify().problems()).isEmpty();
    }
}
