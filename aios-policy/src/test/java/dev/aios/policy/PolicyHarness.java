package dev.aios.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.TestClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** A kernel with the policy, a quoting playbook and customer records, for the policy's tests. */
final class PolicyHarness implements AutoCloseable {
    static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    record Lead(String company, int amount) {}

    record Quote(String text, int amount, double confidence) {}

    /**
     * Drafts a quote; unsure of large amounts. Notes a model call costing a cent (a dollar for
     * amounts of 9000 and more); fails for an amount of 13, as if its service were down.
     */
    static final class DraftQuote implements Agent<Lead, Quote> {
        @Override
        public Contract<Lead, Quote> contract() {
            return Contract.of("draft-quote", "1.0.0", Lead.class, Quote.class);
        }

        @Override
        public Quote run(Lead input, AgentContext context) {
            if (input.amount() == 13) {
                throw new IllegalStateException("the quoting service is down");
            }
            context.note(
                    "model",
                    JSON.objectNode()
                            .put("provider", "scripted")
                            .put("costUsd", input.amount() >= 9000 ? "1.00" : "0.01"));
            return new Quote("Quote for " + input.company(), input.amount(), input.amount() > 5000 ? 0.7 : 0.92);
        }
    }

    static final String PLAYBOOK = """
            name: quoting
            trigger:
              event: lead.received
            steps:
              - id: quote
                agent: draft-quote
                input:
                  company: event.subject
                  amount: event.data.amount
              - id: sent
                emit:
                  type: quote.sent
                  data:
                    text: steps.quote.text
                next: end
            """;

    final TestClock clock = new TestClock();
    final Map<String, JsonNode> records = new HashMap<>();
    final PolicyExtension policy;
    final Kernel kernel;

    PolicyHarness(Path dir, String policyYaml) {
        this(dir, policyYaml, b -> b);
    }

    PolicyHarness(
            Path dir,
            String policyYaml,
            UnaryOperator<PolicyExtension.Builder> more,
            dev.aios.kernel.spi.Extension... before) {
        try {
            Files.createDirectories(dir.resolve("playbooks"));
            Files.writeString(dir.resolve("playbooks/quoting.yaml"), PLAYBOOK);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        policy = more.apply(PolicyExtension.builder()
                        .settings(yaml(policyYaml))
                        .knowledge(id -> Optional.ofNullable(records.get(id))))
                .build();
        var builder = Kernel.builder();
        for (var extension : before) {
            builder.extension(extension);
        }
        kernel = builder.dataDirectory(dir.resolve("data"))
                .clock(clock)
                .agent(new DraftQuote())
                .playbookDirectory(dir.resolve("playbooks"))
                .pollInterval(Duration.ofMillis(20))
                .extension(policy)
                .build();
        kernel.start();
    }

    static JsonNode yaml(String text) {
        try {
            var node = new YAMLMapper().readTree(text);
            return node == null || node.isNull() || node.isMissingNode() ? JSON.objectNode() : node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void customer(String subject, String json) {
        records.put("customer/" + subject, yaml(json));
    }

    String lead(String company, int amount) {
        ObjectNode data = JSON.objectNode().put("amount", amount);
        return kernel.send(new Event(
                        UUID.randomUUID().toString(), "lead.received", company, "test", clock.instant(), data, "", ""))
                .started()
                .getFirst();
    }

    /** The run once it completed or waits on an open task. */
    RunView settled(String runId) {
        return Eventually.await(
                () -> kernel.run(runId),
                run -> run.status().isFinal() || run.tasks().stream().anyMatch(t -> t.status() == TaskStatus.OPEN));
    }

    Optional<TaskView> openTask(String runId) {
        return settled(runId).tasks().stream()
                .filter(t -> t.status() == TaskStatus.OPEN)
                .findFirst();
    }

    RunView completed(String runId) {
        return Eventually.await(() -> kernel.run(runId), run -> run.status() == RunStatus.COMPLETED);
    }

    @Override
    public void close() {
        kernel.close();
    }
}
