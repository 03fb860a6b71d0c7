package dev.aios.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.TestClock;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.testing.ScriptedModelServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A real kernel on a SQLite file with the model gateway plugged in, a playbook written to its
 * playbook directory, and a scripted provider speaking the real wire formats on a loopback port.
 */
final class ModelsHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path dir;
    final ScriptedModelServer provider = ScriptedModelServer.start();
    final TestClock clock = new TestClock();
    ModelsExtension models;
    Kernel kernel;
    java.util.function.UnaryOperator<Kernel.Builder> configure = builder -> builder;

    ModelsHarness(Path dir) {
        this.dir = dir;
    }

    /** Settings for the scripted provider as {@code openai}: small is gpt-4o-mini, large is gpt-4o. */
    ModelSettings openAi() {
        return ModelSettings.none()
                .withProvider(
                        new Provider("openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-test", Duration.ofSeconds(2)))
                .withClass("small", new Route("openai", "gpt-4o-mini"))
                .withClass("large", new Route("openai", "gpt-4o"));
    }

    /** Settings for the scripted provider as {@code anthropic}. */
    ModelSettings anthropic() {
        return ModelSettings.none()
                .withProvider(new Provider(
                        "anthropic", Wire.ANTHROPIC, provider.anthropicBaseUrl(), "sk-ant-test", Duration.ofSeconds(2)))
                .withClass("small", new Route("anthropic", "claude-haiku-4-5"))
                .withClass("large", new Route("anthropic", "claude-sonnet-4-5"));
    }

    ModelsHarness start(ModelSettings settings, String playbook, Agent<?, ?>... agents) {
        try {
            Files.createDirectories(dir.resolve("playbooks"));
            Files.writeString(dir.resolve("playbooks/p.yaml"), playbook);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        models = new ModelsExtension(settings);
        var builder = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(models)
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(10));
        for (var agent : agents) {
            builder.agent(agent);
        }
        kernel = configure.apply(builder).build();
        assertThat(kernel.lastLoad().refused()).isEmpty();
        kernel.start();
        return this;
    }

    /** Sends {@code lead.received} about {@code subject} with {@code data} (JSON) and returns the run started. */
    String send(String subject, String data) {
        try {
            return kernel.send(new Event(
                            UUID.randomUUID().toString(),
                            "lead.received",
                            subject,
                            "test",
                            clock.instant(),
                            JSON.readTree(data),
                            "",
                            ""))
                    .started()
                    .getFirst();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits for the run, moving the kernel's clock a second per look so that retry backoffs pass.
     * Looks are 100 ms apart: faster, a step's lease (its timeout plus 30 s) could run out on the
     * kernel's clock while a provider call is still under way on a loaded machine.
     */
    RunView until(String runId, Predicate<RunView> done) {
        return Eventually.await(
                () -> {
                    pause();
                    clock.advance(Duration.ofSeconds(1));
                    kernel.wake();
                    return kernel.run(runId);
                },
                done);
    }

    private static void pause() {
        try {
            Thread.sleep(80);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The open task of a run, once there is one. */
    TaskView taskOf(String runId) {
        return Eventually.await(
                        () -> {
                            pause();
                            clock.advance(Duration.ofSeconds(1));
                            kernel.wake();
                            return kernel.tasks(false).stream()
                                    .filter(task -> task.runId().equals(runId))
                                    .toList();
                        },
                        tasks -> !tasks.isEmpty())
                .getFirst();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model calls of a request list, as the provider saw them. */
    static List<String> models(List<ScriptedModelServer.Request> requests) {
        return requests.stream().map(r -> r.body().path("model").asText()).toList();
    }

    @Override
    public void close() {
        if (kernel != null) {
            kernel.close();
        }
        provider.close();
    }
}
