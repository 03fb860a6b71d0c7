package dev.aios.kernel.internal.playbook;

import dev.aios.api.AgentStep;
import dev.aios.api.ApprovalStep;
import dev.aios.api.AwaitStep;
import dev.aios.api.BranchStep;
import dev.aios.api.EmitStep;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import java.util.Set;

/** The design-subscription playbook, in YAML and built in Java. */
final class Fixtures {

    static final Set<String> AGENTS = Set.of("qualify-lead", "send-decline");

    static final String YAML = """
            name: design-subscription
            description: Lead to invoice for the design subscription
            trigger:
              event: lead.received
              when: event.data.budget > 0
            steps:
              - id: qualify
                agent: qualify-lead
                input:
                  company: event.subject
                  budget: event.data.budget
                  priority: 1
                approval:
                  when: output.confidence < 0.7
              - id: route
                branch:
                  - when: steps.qualify.score >= 80
                    goto: sign-off
                  - when: steps.qualify.score >= 50
                    goto: sprint
                otherwise: decline
              - id: sign-off
                approval:
                  title: Send the proposal?
                  when: steps.qualify.score > 50
                  show: { score: steps.qualify.score }
                onReject: decline
              - id: sprint
                wait:
                  for: 72h
              - id: deliver
                await:
                  event: delivery.accepted
                  timeout: P7D
                  onTimeout: remind
                next: announce
              - id: remind
                emit: delivery.reminder
                next: sprint
              - id: announce
                emit:
                  type: project.created
                  subject: run.subject
                  data: { plan: steps.qualify.plan }
                next: end
              - id: decline
                agent: send-decline
            """;

    static Playbook built() {
        return Playbook.builder("design-subscription")
                .description("Lead to invoice for the design subscription")
                .trigger(Trigger.on("lead.received").withWhen("event.data.budget > 0"))
                .step(AgentStep.of("qualify", "qualify-lead")
                        .withInput("company", "event.subject")
                        .withInput("budget", "event.data.budget")
                        .withInput("priority", "1")
                        .withApproval("output.confidence < 0.7"))
                .step(BranchStep.of("route", "steps.qualify.score >= 80", "sign-off")
                        .withCase("steps.qualify.score >= 50", "sprint")
                        .withOtherwise("decline"))
                .step(ApprovalStep.of("sign-off", "Send the proposal?")
                        .withWhen("steps.qualify.score > 50")
                        .withShow("score", "steps.qualify.score")
                        .withOnReject("decline"))
                .step(WaitStep.forDuration("sprint", "72h"))
                .step(AwaitStep.of("deliver", "delivery.accepted", "P7D", "remind")
                        .withNext("announce"))
                .step(EmitStep.of("remind", "delivery.reminder").withNext("sprint"))
                .step(EmitStep.of("announce", "project.created")
                        .withSubject("run.subject")
                        .withData("plan", "steps.qualify.plan")
                        .withNext("end"))
                .step(AgentStep.of("decline", "send-decline"))
                .build();
    }

    private Fixtures() {}
}
