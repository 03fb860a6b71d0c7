package dev.aios.server;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.Contract;
import dev.aios.api.Playbook;
import dev.aios.api.Step;
import dev.aios.api.Trigger;

/** The tests' playbook: {@code test.ping} → agent {@code echo} at step {@code say} → approval {@code check}. */
final class EchoPlaybook {
    static final String NAME = "echo-then-approve";
    static final String TRIGGER = "test.ping";

    private EchoPlaybook() {}

    record EchoIn(String text) {}

    record EchoOut(String text) {}

    /** Answers with the text it is given. */
    static final class Echo implements Agent<EchoIn, EchoOut> {
        @Override
        public Contract<EchoIn, EchoOut> contract() {
            return Contract.of("echo", "1.0.0", EchoIn.class, EchoOut.class).withDescription("Repeats its input");
        }

        @Override
        public EchoOut run(EchoIn input, AgentContext context) {
            return new EchoOut(input.text());
        }
    }

    static Playbook playbook() {
        return Playbook.builder(NAME)
                .description("Echoes the ping's text, then asks the operator")
                .trigger(Trigger.on(TRIGGER))
                .step(AgentStep.of("say", "echo").withInput("text", "event.data.text"))
                .step(ApprovalStep.of("check", "ok?").withNext(Step.END))
                .build();
    }
}
