package dev.aios.kernel.internal.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.AgentStep;
import dev.aios.api.EmitStep;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookException.Problem;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class YamlPlaybookReaderTest {

    private final YamlPlaybookReader reader = new YamlPlaybookReader();

    private List<Problem> problems(String yaml) {
        var thrown = assertThatThrownBy(() -> reader.read("p.yaml", yaml)).isInstanceOf(PlaybookException.class);
        return ((PlaybookException) thrown.actual()).problems();
    }

    @Test
    void readsTheFullPlaybookIntoTheSameModelAsTheBuilder() {
        var parsed = reader.read("playbooks/design.yaml", Fixtures.YAML);
        assertThat(parsed.playbook()).isEqualTo(Fixtures.built());
    }

    @Test
    void remembersWhereEachPartWasWritten() {
        var lines = reader.read("playbooks/design.yaml", Fixtures.YAML).lines();
        assertThat(lines.line("trigger.when")).isEqualTo(5);
        assertThat(lines.line("steps[0]")).isEqualTo(7);
        assertThat(lines.line("steps[0].input.budget")).isEqualTo(11);
        assertThat(lines.line("steps[1].branch[1].goto")).isEqualTo(20);
        assertThat(lines.line("steps[4].next")).isEqualTo(36);
        assertThat(lines.line("steps[3].next")).as("falls back to the step").isEqualTo(28);
        assertThat(lines.line("nowhere")).isZero();
    }

    @Test
    void turnsYamlNumbersAndBooleansIntoCelLiterals() {
        var parsed = reader.read("p.yaml", """
                name: literals
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                    input: { count: 100, hex: 0x1F, rate: 0.25, big: 1_000, flag: yes, none: ~, on: 2025-01-31 }
                """);
        var step = (AgentStep) parsed.playbook().steps().get(0);
        assertThat(step.input())
                .containsEntry("count", "100")
                .containsEntry("hex", "0x1F")
                .containsEntry("rate", "0.25")
                .containsEntry("big", "1000")
                .containsEntry("flag", "true")
                .containsEntry("none", "null")
                .containsEntry("on", "'2025-01-31'");
        assertThat(parsed.playbook().trigger()).isEqualTo(Trigger.on("lead.received"));
    }

    @Test
    void acceptsShortForms() {
        var parsed = reader.read("p.yaml", """
                name: short
                trigger: { event: lead.received }
                steps:
                  - id: a
                    agent: x
                    approval: output.confidence < 0.7
                  - id: b
                    wait: 2d
                  - id: c
                    emit: lead.done
                """);
        var steps = parsed.playbook().steps();
        assertThat(((AgentStep) steps.get(0)).approval()).contains("output.confidence < 0.7");
        assertThat(steps.get(1)).isEqualTo(WaitStep.forDuration("b", "2d"));
        assertThat(steps.get(2)).isEqualTo(EmitStep.of("c", "lead.done"));
    }

    @Test
    void reportsYamlSyntaxErrorsWithTheirLine() {
        var problems = problems("""
                name: broken
                trigger:
                  event: lead.received
                steps:
                  - id: a
                    agent: [x
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo("p.yaml");
            assertThat(p.message()).startsWith("invalid YAML");
            assertThat(p.line()).as("where the unclosed list starts").isEqualTo(6);
        });
    }

    @Test
    void reportsUnknownKeysAndSaysWhichAreAllowed() {
        var problems = problems("""
                name: typo
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                    nxt: b
                  - id: b
                    wait: 1h
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message())
                    .contains("unknown key 'nxt'")
                    .contains("did you mean 'next'?")
                    .contains("id, agent, input, approval, next");
        });
    }

    @Test
    void collectsEveryProblemInSourceOrder() {
        var problems = problems("""
                name: Bad Name
                trigger:
                  when: event.data.x > 1
                steps:
                  - agent: x
                  - id: b
                    wait: 5
                  - id: c
                    approval:
                      show: { a: b }
                  - id: d
                    wait: 1h
                    emit: done.now
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(1, 2, 5, 7, 9, 11);
        assertThat(problems.get(0).message()).contains("lower-case words joined by dashes");
        assertThat(problems.get(1).message()).contains("trigger: missing 'event'");
        assertThat(problems.get(2).message()).contains("steps[0]: missing 'id'");
        assertThat(problems.get(3).message()).contains("'5' has no unit");
        assertThat(problems.get(4).message()).contains("steps[2].approval: missing 'title'");
        assertThat(problems.get(5).message()).contains("a step does one thing").contains("wait and emit");
    }

    @Test
    void reportsValuesOfTheWrongShape() {
        var problems = problems("""
                name: shapes
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                    input:
                      address:
                        street: event.data.street
                    next: [b]
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(8, 9);
        assertThat(problems.get(0).message()).contains("steps[0].input.address must be a CEL expression");
        assertThat(problems.get(1).message()).contains("steps[0].next must be a single value, not a list");
    }

    @Test
    void refusesAStepWithoutAKindAndAnEmptyFile() {
        assertThat(problems("""
                        name: nothing
                        trigger: lead.received
                        steps:
                          - id: a
                            next: end
                        """)).singleElement().satisfies(p -> assertThat(p.message())
                .contains("say what the step does with one of agent"));
        assertThat(problems("")).singleElement().satisfies(p -> assertThat(p.message())
                .contains("empty"));
    }

    @Test
    void refusesDuplicateKeysAndOversizedFiles() {
        assertThat(problems("""
                        name: dup
                        name: dup2
                        trigger: lead.received
                        steps: [ { id: a, wait: 1h } ]
                        """)).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(2);
            assertThat(p.message()).contains("'name' twice");
        });
        var huge = "name: huge\ndescription: " + "x".repeat(YamlPlaybookReader.MAX_CODE_POINTS) + "\n";
        assertThat(problems(huge)).singleElement().satisfies(p -> assertThat(p.message())
                .contains("larger than 1 MB"));
    }

    @Test
    void refusesAliasBombs() {
        var yaml = new StringBuilder("name: bomb\ntrigger: lead.received\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [");
            yaml.append(("*a" + (i - 1) + ", ").repeat(9))
                    .append("*a")
                    .append(i - 1)
                    .append("]\n");
        }
        assertThat(problems(yaml.toString())).singleElement().satisfies(p -> assertThat(p.message())
                .contains("aliases"));
    }

    @Test
    void readsOptionalFieldsAsEmpty() {
        var parsed = reader.read("p.yaml", """
                name: minimal
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                """);
        assertThat(parsed.playbook().description()).isEmpty();
        assertThat(parsed.playbook().steps().get(0).next()).isEqualTo(Optional.empty());
    }
}
