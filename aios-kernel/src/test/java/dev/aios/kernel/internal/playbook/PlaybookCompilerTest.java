package dev.aios.kernel.internal.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.AgentStep;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookException.Problem;
import dev.aios.kernel.internal.cel.Cel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlaybookCompilerTest {

    private final PlaybookCompiler compiler = new PlaybookCompiler(new Cel());
    private final YamlPlaybookReader reader = new YamlPlaybookReader();

    private CompiledPlaybook compileYaml(String yaml) {
        var parsed = reader.read("p.yaml", yaml);
        return compiler.compile(parsed.playbook(), "p.yaml", parsed.lines(), Set.of("x", "qualify-lead"));
    }

    private List<Problem> problems(String yaml) {
        var thrown = assertThatThrownBy(() -> compileYaml(yaml)).isInstanceOf(PlaybookException.class);
        return ((PlaybookException) thrown.actual()).problems();
    }

    @Test
    void compilesTheFullPlaybookAndResolvesEveryTarget() {
        var parsed = reader.read("design.yaml", Fixtures.YAML);
        var compiled = compiler.compile(parsed.playbook(), "design.yaml", parsed.lines(), Fixtures.AGENTS);

        assertThat(compiled.name()).isEqualTo("design-subscription");
        assertThat(compiled.source()).isEqualTo("design.yaml");
        assertThat(compiled.version()).isEqualTo(PlaybookJson.version(Fixtures.built()));
        assertThat(compiled.firstStep()).isEqualTo("qualify");
        assertThat(compiled.stepIds())
                .containsExactly("qualify", "route", "sign-off", "sprint", "deliver", "remind", "announce", "decline");
        assertThat(compiled.triggerWhen().orElseThrow().source()).isEqualTo("event.data.budget > 0");

        var qualify = (CompiledStep.AgentCall) compiled.step("qualify");
        assertThat(qualify.next()).as("default: the following step").isEqualTo("route");
        assertThat(qualify.input().keySet()).containsExactly("company", "budget", "priority");
        assertThat(qualify.approval().orElseThrow().source()).isEqualTo("output.confidence < 0.7");

        var route = (CompiledStep.Branch) compiled.step("route");
        assertThat(route.cases()).extracting(CompiledStep.Branch.Case::target).containsExactly("sign-off", "sprint");
        assertThat(route.otherwise()).isEqualTo("decline");

        var signOff = (CompiledStep.Approval) compiled.step("sign-off");
        assertThat(signOff.next()).isEqualTo("sprint");
        assertThat(signOff.onReject()).contains("decline");

        var sprint = (CompiledStep.Wait) compiled.step("sprint");
        assertThat(sprint.fixed()).contains(Duration.ofHours(72));

        var deliver = (CompiledStep.Await) compiled.step("deliver");
        assertThat(deliver.fixedTimeout()).contains(Duration.ofDays(7));
        assertThat(deliver.match().source()).isEqualTo(PlaybookCompiler.DEFAULT_MATCH);
        assertThat(deliver.next()).isEqualTo("announce");
        assertThat(deliver.onTimeout()).isEqualTo("remind");

        assertThat(compiled.step("announce").next()).isEqualTo(Step.END);
        assertThat(compiled.step("decline").next()).as("last step ends the run").isEqualTo(Step.END);
        assertThatThrownBy(() -> compiled.step("nope")).hasMessageContaining("has no step 'nope'");
    }

    @Test
    void compiledExpressionsEvaluate() throws Exception {
        var compiled = compileYaml(Fixtures.YAML.replace("send-decline", "x"));
        var mapper = new ObjectMapper();
        Map<String, JsonNode> vars = Map.of(
                "event", mapper.readTree("{\"subject\":\"acme\",\"data\":{\"budget\":100}}"),
                "run", mapper.readTree("{\"subject\":\"acme\"}"));
        var qualify = (CompiledStep.AgentCall) compiled.step("qualify");
        assertThat(qualify.input().get("budget").eval(vars).intValue()).isEqualTo(100);
        assertThat(qualify.input().get("priority").eval(vars).intValue()).isEqualTo(1);
        assertThat(((CompiledStep.Await) compiled.step("deliver")).match().test(vars))
                .isTrue();
        assertThat(compiled.triggerWhen().orElseThrow().test(vars)).isTrue();
    }

    @Test
    void refusesALoopWithoutAPause() {
        var problems = problems("""
                name: spin
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                  - id: b
                    agent: x
                    next: a
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(4);
            assertThat(p.message()).contains("steps a -> b -> a form a loop without a wait or await");
        });
    }

    @Test
    void acceptsALoopThroughAnAwait() {
        var compiled = compileYaml("""
                name: chase
                trigger: invoice.sent
                steps:
                  - id: remind
                    emit: invoice.reminder
                  - id: paid
                    await:
                      event: invoice.paid
                      timeout: 7d
                      onTimeout: remind
                """);
        assertThat(((CompiledStep.Await) compiled.step("paid")).onTimeout()).isEqualTo("remind");
    }

    @Test
    void findsALoopHiddenBesideAPause() {
        var problems = problems("""
                name: mixed
                trigger: lead.received
                steps:
                  - id: a
                    branch:
                      - when: steps.b.again
                        goto: b
                    otherwise: pause
                  - id: pause
                    wait: 1h
                  - id: b
                    agent: x
                    next: a
                """);
        assertThat(problems).singleElement().satisfies(p -> assertThat(p.message())
                .contains("steps a -> b -> a"));
    }

    @Test
    void refusesAStepThatContinuesWithItself() {
        var problems = problems("""
                name: self
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                    next: a
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("continues with itself");
        });
    }

    @Test
    void namesTheMissingTargetAndTheStepsThatExist() {
        var problems = problems("""
                name: dangling
                trigger: lead.received
                steps:
                  - id: qualify
                    agent: x
                    next: projct
                  - id: project
                    agent: x
                """);
        assertThat(problems)
                .as("no 'never reached' noise from the typo")
                .extracting(Problem::line)
                .containsExactly(6);
        assertThat(problems.get(0).message())
                .contains("steps[0].next: there is no step 'projct' (did you mean 'project'?)")
                .contains("the steps are qualify, project, or 'end'");
    }

    @Test
    void refusesDuplicateIdsUnknownAgentsAndBadEventTypes() {
        var problems = problems("""
                name: several
                trigger: Lead Received
                steps:
                  - id: a
                    agent: qualify-leed
                  - id: a
                    emit: Done!
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(2, 5, 6, 7);
        assertThat(problems.get(0).message()).contains("'Lead Received' is not an event type");
        assertThat(problems.get(1).message())
                .contains("no agent named 'qualify-leed' (did you mean 'qualify-lead'?)")
                .contains("registered agents are qualify-lead, x");
        assertThat(problems.get(2).message()).contains("step id 'a' is already used by steps[0]");
        assertThat(problems.get(3).message()).contains("'Done!' is not an event type");
    }

    @Test
    void reportsBadCelWithTheLineOfTheField() {
        var problems = problems("""
                name: bad-cel
                trigger:
                  event: lead.received
                  when: event.data.budget >
                steps:
                  - id: a
                    agent: x
                    input:
                      company: event.subject
                      budget: event.data.budget +* 2
                    approval: input.budget
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(4, 10);
        assertThat(problems.get(0).message()).startsWith("trigger.when: invalid CEL `event.data.budget >`");
        assertThat(problems.get(1).message())
                .startsWith("steps[0].input.budget: invalid CEL")
                .contains("column");
    }

    @Test
    void checksWhichVariablesAndResultTypesFitTheField() {
        var problems = problems("""
                name: scope
                trigger:
                  event: lead.received
                  when: steps.a.ok
                steps:
                  - id: a
                    agent: x
                    input: { draft: output.text }
                  - id: b
                    approval:
                      title: Go?
                      when: "'yes'"
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(4, 8, 12);
        assertThat(problems.get(0).message()).contains("uses steps; a trigger condition can only use event");
        assertThat(problems.get(1).message()).contains("uses output").contains("approval rule");
        assertThat(problems.get(2).message()).contains("yields string, but this must be true or false");
    }

    @Test
    void refusesDurationsThatAreNeitherLiteralNorCel() {
        var problems = problems("""
                name: durations
                trigger: lead.received
                steps:
                  - id: a
                    wait: 3 days
                  - id: b
                    wait: P1M
                  - id: c
                    wait:
                      until: 2025-13-01
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(5, 7, 10);
        assertThat(problems.get(0).message()).contains("'3 days' is not a duration; write one such as 72h");
        assertThat(problems.get(1).message()).contains("months and years vary in length");
        assertThat(problems.get(2).message()).contains("yields int, but this must be a time");
    }

    @Test
    void compilesDurationsAndTimesWrittenAsCel() {
        var compiled = compileYaml("""
                name: computed
                trigger: lead.received
                steps:
                  - id: a
                    wait:
                      for: duration(string(event.data.days * 24) + 'h')
                  - id: b
                    wait:
                      until: 2025-01-31T09:00:00Z
                """);
        assertThat(((CompiledStep.Wait) compiled.step("a")).duration()).isPresent();
        var until = ((CompiledStep.Wait) compiled.step("b")).until().orElseThrow();
        assertThat(until.evalInstant(Map.of())).hasToString("2025-01-31T09:00:00Z");
    }

    @Test
    void reportsUnreachableSteps() {
        var problems = problems("""
                name: island
                trigger: lead.received
                steps:
                  - id: a
                    agent: x
                    next: end
                  - id: orphan
                    agent: x
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(7);
            assertThat(p.message()).contains("step 'orphan' is never reached; remove it or point a next/goto at it");
        });
    }

    @Test
    void javaBuiltPlaybooksAreReportedWithoutLines() {
        var playbook = Playbook.builder("built")
                .trigger(Trigger.on("lead.received"))
                .step(AgentStep.of("a", "missing").withNext("b"))
                .step(WaitStep.forDuration("w", "1h"))
                .build();
        assertThatThrownBy(() -> compiler.compile(playbook, "builder:built", SourceMap.none(), Set.of()))
                .isInstanceOf(PlaybookException.class)
                .satisfies(e -> assertThat(((PlaybookException) e).problems())
                        .extracting(Problem::toString)
                        .containsExactly(
                                "builder:built: steps[0].next: there is no step 'b'; the steps are a, w, or 'end' to"
                                        + " finish the run",
                                "builder:built: steps[0].agent: no agent named 'missing': no agents are registered;"
                                        + " register it with the kernel before loading this playbook"));
    }
}
