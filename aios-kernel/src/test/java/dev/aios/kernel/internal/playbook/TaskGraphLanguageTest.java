package dev.aios.kernel.internal.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.AgentStep;
import dev.aios.api.CallStep;
import dev.aios.api.ConversationStep;
import dev.aios.api.ConversationStep.Participant;
import dev.aios.api.ForEachStep;
import dev.aios.api.ParallelStep;
import dev.aios.api.ParallelStep.Join;
import dev.aios.api.Playbook;
import dev.aios.api.SendStep;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookException.Problem;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.playbook.PlaybookCompiler.Catalog;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parallel branches, forEach, child playbooks, conversations and sends: read, stored, compiled, refused. */
class TaskGraphLanguageTest {

    static final String YAML = """
            name: intake
            trigger: lead.received
            steps:
              - id: gather
                parallel:
                  lead:
                    - id: research
                      agent: research
                      input: { company: event.data.company }
                  calendar:
                    - id: slots
                      agent: find-slots
                    - id: hold
                      wait: 1h
                join: { atLeast: 1 }
              - id: contacts
                forEach: event.data.contacts
                as: contact
                concurrency: 8
                collect: steps.lookup.email
                steps:
                  - id: lookup
                    agent: lookup
                    input: { email: contact.email, research: steps.gather.lead.research }
              - id: deliver
                call:
                  playbook: deliver-asset
                  input: { assets: steps.contacts }
                  wait: false
              - id: polish
                conversation:
                  agents:
                    - name: drafter
                      agent: draft
                      input: { feedback: "last == null ? '' : last.output.notes" }
                    - name: reviewer
                      agent: review
                      input: { draft: last.output }
                  until: last.speaker == 'reviewer' && last.output.approved
                  maxTurns: 6
                  budget: 0.50
              - id: remember
                send:
                  to: agent/client-account
                  message: { kind: "'intake'", turns: steps.polish.turns }
            """;

    static final Catalog CATALOG = new Catalog(
            Set.of("research", "find-slots", "lookup", "draft", "review", "client-account"),
            Set.of("client-account"),
            Optional.of(Set.of("intake", "deliver-asset")),
            Catalog.ALL_KINDS);

    static Playbook built() {
        return Playbook.builder("intake")
                .trigger(Trigger.on("lead.received"))
                .step(ParallelStep.of("gather")
                        .branch("lead", AgentStep.of("research", "research").withInput("company", "event.data.company"))
                        .branch("calendar", AgentStep.of("slots", "find-slots"), WaitStep.forDuration("hold", "1h"))
                        .join(Join.atLeast(1))
                        .build())
                .step(ForEachStep.over(
                                "contacts",
                                "event.data.contacts",
                                AgentStep.of("lookup", "lookup")
                                        .withInput("email", "contact.email")
                                        .withInput("research", "steps.gather.lead.research"))
                        .withAs("contact")
                        .withConcurrency(8)
                        .withCollect("steps.lookup.email"))
                .step(CallStep.of("deliver", "deliver-asset")
                        .withInput("assets", "steps.contacts")
                        .withWait(false))
                .step(ConversationStep.of(
                                "polish",
                                "last.speaker == 'reviewer' && last.output.approved",
                                6,
                                new Participant(
                                        "drafter",
                                        "draft",
                                        Map.of("feedback", "last == null ? '' : last.output.notes")),
                                new Participant("reviewer", "review", Map.of("draft", "last.output")))
                        .withBudget(new BigDecimal("0.50")))
                .step(SendStep.to("remember", "client-account")
                        .withMessage("kind", "'intake'")
                        .withMessage("turns", "steps.polish.turns"))
                .build();
    }

    private final YamlPlaybookReader reader = new YamlPlaybookReader();
    private final PlaybookCompiler compiler = new PlaybookCompiler(new Cel());

    private CompiledPlaybook compile(String yaml) {
        var parsed = reader.read("p.yaml", yaml);
        return compiler.compile(parsed.playbook(), "p.yaml", parsed.lines(), CATALOG);
    }

    private List<Problem> problems(String yaml) {
        var thrown = assertThatThrownBy(() -> compile(yaml)).isInstanceOf(PlaybookException.class);
        return ((PlaybookException) thrown.actual()).problems();
    }

    @Test
    void yamlAndTheJavaBuilderGiveTheSamePlaybookAndVersion() throws Exception {
        var fromYaml = reader.read("intake.yaml", YAML).playbook();
        assertThat(fromYaml).isEqualTo(built());
        assertThat(PlaybookJson.version(fromYaml)).isEqualTo(PlaybookJson.version(built()));

        JsonNode stored =
                new ObjectMapper().readTree(PlaybookJson.toJson(fromYaml).toString());
        assertThat(PlaybookJson.fromJson(stored)).isEqualTo(fromYaml);
    }

    @Test
    void compilesNestedStepsUnderTheirPaths() {
        var compiled = compile(YAML);

        assertThat(compiled.stepIds()).containsExactly("gather", "contacts", "deliver", "polish", "remember");
        assertThat(compiled.paths())
                .contains(
                        "gather/lead/research",
                        "gather/calendar/slots",
                        "gather/calendar/hold",
                        "contacts/lookup",
                        "polish/drafter",
                        "polish/reviewer");

        var gather = (CompiledStep.Parallel) compiled.step("gather");
        assertThat(gather.branches()).containsExactly(Map.entry("lead", "research"), Map.entry("calendar", "slots"));
        assertThat(gather.join()).isEqualTo(Join.atLeast(1));
        assertThat(compiled.step("gather/calendar/slots").next()).isEqualTo("hold");
        assertThat(compiled.step("gather/calendar/hold").next())
                .as("the end of the branch")
                .isEqualTo("end");

        var contacts = (CompiledStep.ForEach) compiled.step("contacts");
        assertThat(contacts.first()).isEqualTo("lookup");
        assertThat(contacts.concurrency()).isEqualTo(8);
        assertThat(compiled.step("contacts[17]/lookup"))
                .as("a runtime path finds its step")
                .isSameAs(compiled.step("contacts/lookup"));

        var polish = (CompiledStep.Conversation) compiled.step("polish");
        assertThat(polish.speaker(0)).isEqualTo("drafter");
        assertThat(polish.speaker(3)).isEqualTo("reviewer");
        assertThat(compiled.step("polish[2]/drafter")).isInstanceOf(CompiledStep.AgentCall.class);

        var deliver = (CompiledStep.Call) compiled.step("deliver");
        assertThat(deliver.waits()).isFalse();
        assertThat(((CompiledStep.Send) compiled.step("remember")).agent()).isEqualTo("client-account");
    }

    @Test
    void theItemIsKnownInsideTheBodyOnly() {
        var problems = problems(YAML.replace(
                "message: { kind: \"'intake'\", turns: steps.polish.turns }", "message: { who: contact.email }"));
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(45);
            assertThat(p.message()).contains("steps[4].send.message.who").contains("unknown name 'contact'");
        });
    }

    @Test
    void refusesWhatCannotTerminateAndNamesTheLine() {
        var problems = problems("""
                name: endless
                trigger: lead.received
                steps:
                  - id: each
                    forEach: event.data.count > 1
                    steps:
                      - id: a
                        agent: lookup
                  - id: both
                    parallel:
                      left:
                        - id: ping
                          agent: lookup
                        - id: pong
                          agent: lookup
                          next: ping
                      right:
                        - id: r
                          agent: lookup
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(5, 12);
        assertThat(problems.get(0).message()).contains("yields bool, but this must be a list");
        assertThat(problems.get(1).message())
                .contains("steps[1].parallel.left[0]")
                .contains("steps ping -> pong -> ping form a loop without a wait");

        assertThatThrownBy(() -> reader.read("p.yaml", """
                        name: chatty
                        trigger: lead.received
                        steps:
                          - id: talk
                            conversation:
                              agents:
                                - name: me
                                  agent: draft
                              until: last.output.done
                        """))
                .isInstanceOf(PlaybookException.class)
                .hasMessageContaining("p.yaml:5: steps[0].conversation: missing 'maxTurns'");
    }

    @Test
    void aTargetCannotLeaveItsBranchAndIdsAreUniqueAcrossNesting() {
        var problems = problems("""
                name: tangled
                trigger: lead.received
                steps:
                  - id: a
                    agent: lookup
                  - id: both
                    parallel:
                      left:
                        - id: a
                          agent: lookup
                      right:
                        - id: r
                          agent: lookup
                          next: a
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(9, 14);
        assertThat(problems.get(0).message()).contains("step id 'a' is already used by steps[0]");
        assertThat(problems.get(1).message())
                .contains("step 'a' is outside this list of steps")
                .contains("or 'end'");
    }

    @Test
    void statefulAgentsGetMessagesAndOthersGetCalled() {
        var problems = problems("""
                name: mixed-up
                trigger: lead.received
                steps:
                  - id: ask
                    agent: client-account
                  - id: tell
                    send:
                      to: lookup
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(5, 8);
        assertThat(problems.get(0).message()).contains("is stateful").contains("send step");
        assertThat(problems.get(1).message()).contains("is not stateful").contains("use an agent step");
    }

    @Test
    void aPlaybookMayNotCallItselfOrAnUnknownOne() {
        var problems = problems("""
                name: intake
                trigger: lead.received
                steps:
                  - id: again
                    call: intake
                  - id: other
                    call:
                      playbook: deliver-assets
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(5, 8);
        assertThat(problems.get(0).message()).contains("calls itself");
        assertThat(problems.get(1).message())
                .contains("no playbook named 'deliver-assets'")
                .contains("deliver-asset");
    }

    @Test
    void readsJoinsAndRefusesBadShapes() {
        assertThat(((CompiledStep.Parallel) compile(YAML.replace("join: { atLeast: 1 }", "join: any"))
                                .step("gather"))
                        .join())
                .isEqualTo(Join.any());
        assertThat(((CompiledStep.Parallel) compile(YAML.replace("    join: { atLeast: 1 }\n", ""))
                                .step("gather"))
                        .join())
                .as("all by default")
                .isEqualTo(Join.all());

        var problems = problems("""
                name: shapes
                trigger: lead.received
                steps:
                  - id: one
                    parallel:
                      only:
                        - id: a
                          agent: lookup
                    join: some
                  - id: each
                    forEach: event.data.items
                    as: steps
                    concurrency: 0
                    steps:
                      - id: b
                        agent: lookup
                """);
        assertThat(problems).extracting(Problem::line).containsExactly(5, 9, 10);
        assertThat(problems.get(0).message()).contains("has one branch");
        assertThat(problems.get(1).message()).contains("'some' is not a join");
        assertThat(problems.get(2).message()).contains("concurrency must be between 1 and 1000");
    }

    @Test
    void anItemNameMayNotHideTheRunsVariables() {
        var problems = problems("""
                name: shadow
                trigger: lead.received
                steps:
                  - id: each
                    forEach: event.data.items
                    as: steps
                    steps:
                      - id: b
                        agent: lookup
                """);
        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.line()).isEqualTo(6);
            assertThat(p.message()).contains("'steps' is already a name expressions use");
        });
    }

    @Test
    void aKernelRefusesKindsItDoesNotRun() {
        var parsed = reader.read("p.yaml", YAML);
        var narrow = new Catalog(CATALOG.agents(), Set.of("client-account"), Optional.empty(), Set.of("agent"));
        assertThatThrownBy(() -> compiler.compile(parsed.playbook(), "p.yaml", parsed.lines(), narrow))
                .isInstanceOf(PlaybookException.class)
                .hasMessageContaining("p.yaml:4: steps[0]: this kernel does not run parallel steps yet");
    }
}
