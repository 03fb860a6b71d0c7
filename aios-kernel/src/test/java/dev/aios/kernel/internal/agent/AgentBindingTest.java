package dev.aios.kernel.internal.agent;

import static dev.aios.kernel.internal.agent.RecordSchemasTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.kernel.internal.agent.ContractViolation.Problem;
import dev.aios.kernel.internal.agent.ContractViolation.Side;
import dev.aios.kernel.internal.agent.TestAgents.FixedContext;
import dev.aios.kernel.internal.agent.TestAgents.Lead;
import dev.aios.kernel.internal.agent.TestAgents.Score;
import dev.aios.kernel.internal.agent.TestAgents.ScriptedAgent;
import dev.aios.kernel.internal.agent.TestAgents.Tier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AgentBindingTest {

    private static final AgentContext CONTEXT = new FixedContext(Instant.parse("2025-05-01T09:30:00Z"));

    private final AtomicReference<Lead> received = new AtomicReference<>();
    private final AgentBinding qualify = AgentBinding.of(new ScriptedAgent("qualify-lead", (lead, ctx) -> {
        received.set(lead);
        return new Score(lead.budget() / 100, "budget " + lead.budget(), Tier.WARM, Optional.empty());
    }));

    @Test
    void callsTheAgentWithTheInputRecordAndReturnsItsOutputAsJson() throws Exception {
        JsonNode output = qualify.call(json("{'email':'ana@example.com','budget':4200,'tags':['design']}"), CONTEXT);

        assertThat(received.get())
                .isEqualTo(new Lead("ana@example.com", 4200, Optional.empty(), List.of("design"), Optional.empty()));
        assertThat(output).isEqualTo(json("{'value':42,'reason':'budget 4200','tier':'WARM'}"));
    }

    @Test
    void readsPresentAndNullOptionals() throws Exception {
        qualify.call(
                json("{'email':'a@b.c','budget':1,'tags':[],'note':'met at a fair','company':"
                        + "{'name':'Acme','employees':12}}"),
                CONTEXT);
        assertThat(received.get().note()).contains("met at a fair");
        assertThat(received.get().company()).contains(new TestAgents.Company("Acme", 12));

        qualify.call(json("{'email':'a@b.c','budget':1,'tags':[],'note':null,'company':null}"), CONTEXT);
        assertThat(received.get().note()).isEmpty();
        assertThat(received.get().company()).isEmpty();
    }

    @Test
    void namesEveryOffendingInputField() {
        assertThatThrownBy(() -> qualify.call(json("{'budget':'lots','tags':[]}"), CONTEXT))
                .isInstanceOf(ContractViolation.class)
                .hasMessage("agent 'qualify-lead' input: $.budget: integer expected, got string; "
                        + "$.email: required property missing");
        assertThat(received.get()).isNull();
    }

    @Test
    void namesAMissingField() {
        ContractViolation violation = catchThrowableOfType(
                ContractViolation.class, () -> qualify.validateInput(json("{'budget':10,'tags':[]}")));

        assertThat(violation.agent()).isEqualTo("qualify-lead");
        assertThat(violation.side()).isEqualTo(Side.INPUT);
        assertThat(violation.problems()).containsExactly(new Problem("$.email", "required property missing"));
    }

    @Test
    void namesAFieldThatIsNotInTheContract() {
        assertThatThrownBy(() -> qualify.validateInput(json("{'email':'a@b.c','budget':1,'tags':[],'emial':'x'}")))
                .hasMessage("agent 'qualify-lead' input: $.emial: not in the contract; remove it or check its"
                        + " spelling");
    }

    @Test
    void namesANullForAPrimitive() {
        assertThatThrownBy(() -> qualify.call(json("{'email':'a@b.c','budget':null,'tags':[]}"), CONTEXT))
                .hasMessage("agent 'qualify-lead' input: $.budget: integer expected, got null");
    }

    @Test
    void namesNestedFieldsByTheirPath() {
        assertThatThrownBy(() -> qualify.validateInput(
                        json("{'email':'a@b.c','budget':1,'tags':['ok',7],'company':{'employees':2.5}}")))
                .hasMessage("agent 'qualify-lead' input: $.company.employees: integer expected, got number; "
                        + "$.company.name: required property missing; $.tags[1]: string expected, got integer");
    }

    @Test
    void namesAValueOutOfRangeOfItsJavaType() {
        assertThatThrownBy(() -> qualify.validateInput(json("{'email':'a@b.c','budget':3000000000,'tags':[]}")))
                .hasMessage("agent 'qualify-lead' input: $.budget: must be at most 2147483647, got 3000000000");
    }

    @Test
    void reportsInputThatTheRecordRejects() {
        ContractViolation violation = catchThrowableOfType(
                ContractViolation.class, () -> qualify.call(json("{'email':'a@b.c','budget':-5,'tags':[]}"), CONTEXT));

        assertThat(violation.side()).isEqualTo(Side.INPUT);
        assertThat(violation)
                .hasMessage("agent 'qualify-lead' input: $: Lead rejected it: budget must not be negative, was -5");
        assertThat(received.get()).isNull();
    }

    @Test
    void rejectsOutputThatBreaksTheContract() {
        AgentBinding sloppy =
                AgentBinding.of(new ScriptedAgent("sloppy", (lead, ctx) -> new Score(1, null, null, Optional.empty())));

        ContractViolation violation = catchThrowableOfType(
                ContractViolation.class, () -> sloppy.call(json("{'email':'a@b.c','budget':1,'tags':[]}"), CONTEXT));

        assertThat(violation.side()).isEqualTo(Side.OUTPUT);
        assertThat(violation)
                .hasMessage("agent 'sloppy' output: $.reason: required property missing; "
                        + "$.tier: required property missing");
    }

    @Test
    void validatesOutputJsonHandedInDirectly() {
        assertThatThrownBy(() -> qualify.validateOutput(json("{'value':1,'reason':'r','tier':'BOILING'}")))
                .hasMessage("agent 'qualify-lead' output: $.tier: must be one of [\"HOT\", \"WARM\", \"COLD\"],"
                        + " got \"BOILING\"");
    }

    @Test
    void rejectsAnAgentThatReturnsNothing() {
        AgentBinding silent = AgentBinding.of(new ScriptedAgent("silent", (lead, ctx) -> null));

        assertThatThrownBy(() -> silent.call(json("{'email':'a@b.c','budget':1,'tags':[]}"), CONTEXT))
                .isInstanceOf(ContractViolation.class)
                .hasMessage("agent 'silent' output: $: returned no output; run must return a Score");
    }

    @Test
    void letsTheAgentsOwnExceptionsThrough() {
        IOException failure = new IOException("mail server down");
        AgentBinding failing = AgentBinding.of(new ScriptedAgent("failing", (lead, ctx) -> {
            throw new UncheckedIOException(failure);
        }));

        assertThatThrownBy(() -> failing.call(json("{'email':'a@b.c','budget':1,'tags':[]}"), CONTEXT))
                .isInstanceOf(UncheckedIOException.class)
                .hasCause(failure);
    }

    record When(Instant at, OffsetDateTime due) {}

    record Ack(boolean ok) {}

    @Test
    void checksDateTimesAndKeepsTheirOffset() throws Exception {
        AtomicReference<When> seen = new AtomicReference<>();
        AgentBinding scheduler = AgentBinding.of(new Agent<When, Ack>() {
            @Override
            public Contract<When, Ack> contract() {
                return Contract.of("schedule", "1", When.class, Ack.class);
            }

            @Override
            public Ack run(When input, AgentContext context) {
                seen.set(input);
                return new Ack(true);
            }
        });

        assertThatThrownBy(() -> scheduler.validateInput(json("{'at':'yesterday','due':'2025-05-01T09:30:00+02:00'}")))
                .hasMessage("agent 'schedule' input: $.at: must be a date-time with offset (RFC 3339),"
                        + " e.g. \"2025-05-01T09:30:00Z\", got \"yesterday\"");

        scheduler.call(json("{'at':'2025-05-01T07:30:00Z','due':'2025-05-01T09:30:00+02:00'}"), CONTEXT);
        assertThat(seen.get().due()).isEqualTo(OffsetDateTime.parse("2025-05-01T09:30:00+02:00"));
    }

    record Contact(@JsonProperty("e-mail") String email) {}

    record Greeting(@JsonProperty("greeting-text") String text) {}

    @Test
    void usesJsonPropertyNamesOnBothSides() throws Exception {
        AgentBinding greeter = AgentBinding.of(new Agent<Contact, Greeting>() {
            @Override
            public Contract<Contact, Greeting> contract() {
                return Contract.of("greet", "1", Contact.class, Greeting.class);
            }

            @Override
            public Greeting run(Contact input, AgentContext context) {
                return new Greeting("hello " + input.email());
            }
        });

        assertThat(greeter.call(json("{'e-mail':'ana@example.com'}"), CONTEXT))
                .isEqualTo(json("{'greeting-text':'hello ana@example.com'}"));
        assertThatThrownBy(() -> greeter.validateInput(json("{'email':'ana@example.com'}")))
                .hasMessage("agent 'greet' input: $.email: not in the contract; remove it or check its spelling;"
                        + " $['e-mail']: required property missing");
    }

    record Node(String label, List<Node> children) {}

    @Test
    void validatesRecursiveRecords() {
        AgentBinding tree = AgentBinding.of(new Agent<Node, Node>() {
            @Override
            public Contract<Node, Node> contract() {
                return Contract.of("tree", "1", Node.class, Node.class);
            }

            @Override
            public Node run(Node input, AgentContext context) {
                return input;
            }
        });

        assertThatThrownBy(() -> tree.validateInput(
                        json("{'label':'a','children':[{'label':'b','children':[{'label':3,'children':[]}]}]}")))
                .hasMessage("agent 'tree' input: $.children[0].children[0].label: string expected, got integer");
    }

    record Tree(String name, Optional<Node> spare) {}

    @Test
    void namesFieldsInsideAnOptionalRecursiveRecord() {
        AgentBinding trees = AgentBinding.of(new Agent<Tree, Tree>() {
            @Override
            public Contract<Tree, Tree> contract() {
                return Contract.of("trees", "1", Tree.class, Tree.class);
            }

            @Override
            public Tree run(Tree input, AgentContext context) {
                return input;
            }
        });

        assertThatThrownBy(() -> trees.validateInput(json("{'name':'t','spare':{'label':3,'children':[]}}")))
                .hasMessage("agent 'trees' input: $.spare.label: string expected, got integer");
    }

    @Test
    void describesTheContract() {
        assertThat(qualify.name()).isEqualTo("qualify-lead");
        assertThat(qualify.info().inputSchema()).isEqualTo(RecordSchemas.of(Lead.class));
        assertThat(qualify.info().outputSchema()).isEqualTo(RecordSchemas.of(Score.class));
        assertThat(qualify.info().timeout()).isEqualTo(Contract.DEFAULT_TIMEOUT);
    }
}
