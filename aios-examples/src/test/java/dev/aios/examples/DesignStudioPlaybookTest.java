package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.api.WaitStep;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.AgentInstance;
import dev.aios.kernel.AgentInstanceView;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.PlaybookInfo;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.TestClock;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelsExtension;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The design-subscription playbook on a real kernel and SQLite file, wired the way {@code aios up}
 * wires it: agents and playbooks found on the class path, and its emails sent through a real SMTP
 * server (GreenMail).
 */
class DesignStudioPlaybookTest {

    static final String STRONG_LEAD = """
            {"name": "Ada Lovelace", "email": "ada@acme.test", "company": "Acme", "budget": 4000,
             "need": "brand refresh and landing page", "plan": "standard"}""";

    /** No budget: the score passes, but the confidence is too low to go on without the operator. */
    static final String THIN_LEAD = """
            {"name": "Hank Scorpio", "email": "hank@globex.test", "company": "Globex", "need": "website and app"}""";

    /** Everything given, and clearly not a fit: too small a budget for work the studio does not sell. */
    static final String WEAK_LEAD = """
            {"name": "Tom", "email": "tom@tinyco.test", "company": "TinyCo", "budget": 500,
             "need": "help with bookkeeping"}""";

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Kernel kernel;
    GreenMail mail;

    @BeforeEach
    void start() throws Exception {
        var smtp = ServerSetup.SMTP.dynamicPort();
        smtp.setServerStartupTimeout(30_000);
        mail = new GreenMail(smtp);
        mail.start();
        var connectors = ConnectorSettings.read(
                JSON.readTree("""
                        {"email": {"smtp": {"host": "127.0.0.1", "port": %d, "security": "none",
                                            "from": "Studio <hello@studio.test>"}}}
                        """.formatted(mail.getSmtp().getPort()))::get);
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .discoverAgents()
                .discoverPlaybooks()
                .extension(new ModelsExtension(settings()))
                .extension(new ConnectorsExtension(connectors, name -> Optional.empty()))
                .pollInterval(Duration.ofMillis(20))
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        kernel.close();
        mail.stop();
    }

    /** No model provider: the proposal email becomes a draft for the operator. */
    ModelSettings settings() {
        return ModelSettings.none();
    }

    @Test
    void thePlaybookAndItsAgentsAreFoundOnTheClassPath() {
        assertThat(kernel.lastLoad().refused()).isEmpty();
        assertThat(kernel.playbooks()).extracting(PlaybookInfo::name).contains("design-subscription");
        assertThat(kernel.agents())
                .extracting(AgentInfo::name)
                .contains(
                        "qualify-lead",
                        "create-project",
                        "draft-proposal",
                        "send-reminder",
                        "queue-invoice",
                        "draft-follow-up",
                        "client-account");
        assertThat(kernel.agents())
                .filteredOn(agent -> agent.name().equals("queue-invoice"))
                .singleElement()
                .satisfies(agent -> {
                    assertThat(agent.effects()).containsExactly("invoices");
                    assertThat(agent.preconditions()).containsExactly("input.monthlyPrice > 0");
                });
    }

    @Test
    void aStrongLeadGoesFromQualificationThroughTheSprintAndDeliveryToInvoiceAndFollowUp() throws Exception {
        String runId = startLead("acme", STRONG_LEAD);

        // Without a model provider, the proposal email waits for the operator as a filled-in draft.
        TaskView proposal = awaitTask(runId);
        assertThat(proposal.kind()).isEqualTo(TaskKind.DRAFT);
        assertThat(proposal.stepId()).isEqualTo("propose");
        assertThat(proposal.title()).isEqualTo("Write the proposal email to Ada Lovelace (Acme)");
        assertThat(proposal.explanation()).contains("no model provider is configured");
        assertThat(proposal.proposed().path("to").asText()).isEqualTo("ada@acme.test");
        assertThat(proposal.proposed().path("body").asText())
                .startsWith("Hi Ada Lovelace,")
                .contains("brand refresh and landing page", "standard plan at 3995 USD a month", "PRJ-");
        ObjectNode email = proposal.proposed().deepCopy();
        email.put("body", email.path("body").asText().replace("Best regards", "Warmly, Grace"));
        kernel.approve(proposal.id(), Optional.of(email), "");

        var inSprint = awaitStep(runId, "sprint", StepStatus.WAITING);
        assertThat(inSprint.status()).isEqualTo(RunStatus.WAITING);
        assertThat(kernel.tasks(false)).isEmpty();
        assertThat(inSprint.context().path("propose").path("body").asText()).contains("Warmly, Grace");
        // The approved proposal goes to the lead once, as the operator edited it.
        var sent = single(mail.getReceivedMessages());
        assertThat(sent.getAllRecipients()).extracting(Object::toString).containsExactly("ada@acme.test");
        assertThat(sent.getSubject()).isEqualTo(email.path("subject").asText());
        assertThat(GreenMailUtil.getBody(sent))
                .contains("Hi Ada Lovelace,", "Warmly, Grace")
                .doesNotContain("Best regards");
        assertThat(sent.getMessageID())
                .isEqualTo(step(inSprint, "email-proposal")
                        .receipts()
                        .getFirst()
                        .result()
                        .path("messageId")
                        .asText());
        JsonNode qualify = inSprint.context().path("qualify");
        assertThat(qualify.path("score").asInt()).isEqualTo(85);
        assertThat(qualify.path("plan").asText()).isEqualTo("standard");
        JsonNode project = inSprint.context().path("project");
        String projectId = project.path("projectId").asText();
        assertThat(projectId).matches("PRJ-[0-9A-F]{10}");
        assertThat(project.path("company").asText()).isEqualTo("Acme");
        assertThat(project.path("contact").path("email").asText()).isEqualTo("ada@acme.test");
        assertThat(project.path("monthlyPrice").asInt()).isEqualTo(3995);
        assertThat(project.path("startDate").asText()).isEqualTo("2026-03-02");
        assertThat(project.path("sprintLength").asText()).isEqualTo("PT72H");

        // The sprint lasts the standard plan's 72 hours.
        assertThat(step(inSprint, "sprint").input().path("until").asText()).isEqualTo("2026-03-05T09:00:00Z");
        clock.advance(Duration.ofHours(72).plusMinutes(1));
        kernel.wake();
        awaitStep(runId, "deliver", StepStatus.WAITING);

        Accepted accepted = send("delivery.accepted", "acme", "{}");
        assertThat(accepted.resumed()).containsExactly(runId);

        // Delivered and invoiced; the check-in email waits two weeks.
        awaitStep(runId, "check-in", StepStatus.WAITING);
        assertThat(mail.getReceivedMessages()).as("only the proposal so far").hasSize(1);
        clock.advance(Duration.ofDays(14).plusMinutes(1));
        kernel.wake();

        var done = awaitStatus(runId, RunStatus.COMPLETED);
        assertThat(done.steps())
                .extracting(StepView::id)
                .containsExactly(
                        "qualify",
                        "decide",
                        "project",
                        "account-opened",
                        "propose",
                        "email-proposal",
                        "sprint",
                        "deliver",
                        "invoice",
                        "follow-up",
                        "delivered",
                        "account-delivered",
                        "check-in",
                        "email-follow-up");
        JsonNode invoice = done.context().path("invoice");
        assertThat(invoice.path("invoiceNumber").asText()).matches("INV-[0-9A-F]{10}");
        assertThat(invoice.path("projectId").asText()).isEqualTo(projectId);
        assertThat(invoice.path("billTo").asText()).isEqualTo("Acme");
        assertThat(invoice.path("amount").asInt()).isEqualTo(3995);
        assertThat(invoice.path("issuedOn").asText()).isEqualTo("2026-03-05");
        assertThat(invoice.path("dueOn").asText()).isEqualTo("2026-03-19");
        JsonNode followUp = done.context().path("follow-up");
        assertThat(followUp.path("sendOn").asText()).isEqualTo("2026-03-19");
        assertThat(followUp.path("upgrade").path("plan").asText()).isEqualTo("priority");
        assertThat(followUp.path("text").asText()).contains("Hi Ada Lovelace,", projectId);
        var received = mail.getReceivedMessages();
        assertThat(received).as("the proposal and the check-in").hasSize(2);
        var checkIn = received[1];
        assertThat(checkIn.getAllRecipients()).extracting(Object::toString).containsExactly("ada@acme.test");
        assertThat(checkIn.getSubject()).isEqualTo("How are the new designs working for Acme?");
        assertThat(GreenMailUtil.getBody(checkIn)).contains("Hi Ada Lovelace,", projectId);
        assertThat(checkIn.getMessageID())
                .isEqualTo(step(done, "email-follow-up")
                        .receipts()
                        .getFirst()
                        .result()
                        .path("messageId")
                        .asText());

        JsonNode announced = step(done, "delivered").input();
        assertThat(announced.path("type").asText()).isEqualTo("project.delivered");
        assertThat(announced.path("subject").asText()).isEqualTo("acme");
        assertThat(announced.path("data").path("projectId").asText()).isEqualTo(projectId);
        assertThat(announced.path("data").path("invoiceNumber").asText())
                .isEqualTo(invoice.path("invoiceNumber").asText());
        assertThat(announced.path("data").path("amount").asInt()).isEqualTo(3995);

        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aThinLeadWaitsForTheOperatorsReviewAndApprovingItContinuesTheRun() throws Exception {
        String runId = startLead("globex", THIN_LEAD);

        TaskView task = awaitTask(runId);
        assertThat(task.kind()).isEqualTo(TaskKind.REVIEW);
        assertThat(task.stepId()).isEqualTo("qualify");
        assertThat(task.explanation()).contains("output.confidence < 0.7");
        assertThat(task.proposed().path("score").asInt()).isEqualTo(60);
        assertThat(task.proposed().path("confidence").asDouble()).isEqualTo(0.6);
        assertThat(task.proposed().path("reasons")).extracting(JsonNode::asText).contains("no budget given");
        assertThat(kernel.run(runId).steps()).extracting(StepView::id).containsExactly("qualify");

        kernel.approve(task.id(), Optional.empty(), "budget confirmed on the call");

        var inSprint = approveProposal(runId);
        assertThat(inSprint.context().path("project").path("plan").asText()).isEqualTo("starter");
        assertThat(inSprint.context().path("project").path("sprintLength").asText())
                .isEqualTo("PT120H");
        assertThat(kernel.task(task.id()).status()).isEqualTo(TaskStatus.APPROVED);
    }

    @Test
    void theOperatorsCorrectionInAReviewFlowsIntoTheProject() throws Exception {
        String runId = startLead("globex", THIN_LEAD);
        TaskView task = awaitTask(runId);

        ObjectNode corrected = task.proposed().deepCopy();
        corrected.put("plan", "standard").put("monthlyPrice", 3995).put("confidence", 1.0);
        kernel.approve(task.id(), Optional.of(corrected), "they have budget for standard");

        var inSprint = approveProposal(runId);
        assertThat(inSprint.context().path("project").path("plan").asText()).isEqualTo("standard");
        assertThat(inSprint.context().path("project").path("monthlyPrice").asInt())
                .isEqualTo(3995);
    }

    @Test
    void rejectingAThinLeadFailsTheRunWithTheOperatorsReason() throws Exception {
        String runId = startLead("globex", THIN_LEAD);
        TaskView task = awaitTask(runId);

        kernel.reject(task.id(), "no budget after two calls");

        var failed = awaitStatus(runId, RunStatus.FAILED);
        assertThat(failed.error()).hasValueSatisfying(error -> assertThat(error)
                .contains("rejected by the operator at step 'qualify'")
                .contains("no budget after two calls"));
        assertThat(failed.context().has("project")).isFalse();
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aProposalTheOperatorRejectsIsNeverSent() throws Exception {
        String runId = startLead("acme", STRONG_LEAD);
        TaskView proposal = awaitTask(runId);
        assertThat(proposal.stepId()).isEqualTo("propose");

        kernel.reject(proposal.id(), "I will call Ada instead");

        var failed = awaitStatus(runId, RunStatus.FAILED);
        assertThat(failed.error()).hasValueSatisfying(error -> assertThat(error)
                .contains("rejected by the operator at step 'propose'")
                .contains("I will call Ada instead"));
        assertThat(failed.steps()).extracting(StepView::id).doesNotContain("email-proposal");
        assertThat(mail.getReceivedMessages()).isEmpty();
        assertThat(kernel.tasks(false)).isEmpty();
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aWeakLeadIsDeclinedAndALeadDeclinedEventIsPublished() throws Exception {
        // A second playbook listening for lead.declined shows the event really goes out.
        kernel.register(Playbook.builder("declined-leads")
                .trigger(Trigger.on("lead.declined"))
                .step(WaitStep.forDuration("keep-on-file", "P90D"))
                .build());

        String runId = startLead("tinyco", WEAK_LEAD);

        var done = awaitStatus(runId, RunStatus.COMPLETED);
        assertThat(done.steps()).extracting(StepView::id).containsExactly("qualify", "decide", "decline");
        assertThat(done.context().path("qualify").path("score").asInt()).isEqualTo(30);
        assertThat(done.context().path("decide").path("target").asText()).isEqualTo("decline");
        assertThat(done.context().has("project")).isFalse();
        assertThat(kernel.tasks(false)).isEmpty();

        JsonNode started = done.context().path("decline").path("started");
        assertThat(started).hasSize(1);
        // Waiting, not mid-step: Kernel.verify() reports false problems about a run that moves while it reads.
        var listener = awaitStatus(started.get(0).asText(), RunStatus.WAITING);
        assertThat(listener.playbook()).isEqualTo("declined-leads");
        assertThat(listener.subject()).isEqualTo("tinyco");
        JsonNode declined = listener.trigger();
        assertThat(declined.path("type").asText()).isEqualTo("lead.declined");
        assertThat(declined.path("source").asText()).isEqualTo("run:" + runId);
        assertThat(declined.path("data").path("score").asInt()).isEqualTo(30);
        assertThat(declined.path("data").path("reasons"))
                .extracting(JsonNode::asText)
                .contains("'help with bookkeeping' is not design work the studio sells");
        assertThat(kernel.verify().problems()).isEmpty();
    }

    @Test
    void aClientWhoDoesNotReviewInTimeIsRemindedAndALaterAcceptanceCompletesTheRun() throws Exception {
        String runId = startLead("acme", STRONG_LEAD);
        approveProposal(runId);
        clock.advance(Duration.ofHours(73));
        kernel.wake();
        awaitStep(runId, "deliver", StepStatus.WAITING);

        // The review window is five days; after it, one reminder and back to waiting.
        clock.advance(Duration.ofDays(5).plusMinutes(1));
        kernel.wake();
        var reminded = Eventually.await(() -> kernel.run(runId), run -> run.steps().stream()
                .anyMatch(s -> s.id().equals("deliver")
                        && s.iteration() == 1
                        && s.status().equals(StepStatus.WAITING)));
        assertThat(reminded.status()).isEqualTo(RunStatus.WAITING);
        JsonNode reminder = reminded.context().path("remind");
        assertThat(reminder.path("reminderNumber").asInt()).isEqualTo(1);
        assertThat(reminder.path("to").asText()).isEqualTo("ada@acme.test");
        assertThat(reminder.path("text").asText()).contains("Hi Ada Lovelace,", "Acme", "This is my first reminder");
        var sofar = mail.getReceivedMessages();
        assertThat(sofar).as("the proposal and one reminder").hasSize(2);
        var emailed = sofar[1];
        assertThat(emailed.getAllRecipients()).extracting(Object::toString).containsExactly("ada@acme.test");
        assertThat(emailed.getSubject()).isEqualTo("Reminder: your designs are ready for review");
        assertThat(GreenMailUtil.getBody(emailed)).contains("This is my first reminder");
        assertThat(kernel.journal(runId).stream().filter(e -> e.type().equals("AwaitTimedOut")))
                .hasSize(1);

        // Another window passes: the second reminder is a second email, not the first one again.
        clock.advance(Duration.ofDays(5).plusMinutes(1));
        kernel.wake();
        var remindedAgain = Eventually.await(() -> kernel.run(runId), run -> run.steps().stream()
                .anyMatch(s -> s.id().equals("deliver")
                        && s.iteration() == 2
                        && s.status().equals(StepStatus.WAITING)));
        assertThat(remindedAgain.context().path("remind").path("reminderNumber").asInt())
                .isEqualTo(2);
        var both = mail.getReceivedMessages();
        assertThat(both).as("the proposal and two reminders").hasSize(3);
        assertThat(GreenMailUtil.getBody(both[2])).contains("This is my second reminder");
        assertThat(both[2].getMessageID()).isNotEqualTo(both[1].getMessageID());

        clock.advance(Duration.ofDays(1));
        assertThat(send("delivery.accepted", "acme", "{}").resumed()).containsExactly(runId);

        var invoiced = awaitStep(runId, "check-in", StepStatus.WAITING);
        assertThat(invoiced.context().path("invoice").path("amount").asInt()).isEqualTo(3995);
        assertThat(invoiced.context().path("remind").path("reminderNumber").asInt())
                .isEqualTo(2);
        assertThat(mail.getReceivedMessages()).hasSize(3);
    }

    @Test
    void aDeliveryAboutAnotherClientDoesNotResumeTheRun() throws Exception {
        String runId = startLead("acme", STRONG_LEAD);
        approveProposal(runId);
        clock.advance(Duration.ofHours(73));
        kernel.wake();
        awaitStep(runId, "deliver", StepStatus.WAITING);

        assertThat(send("delivery.accepted", "globex", "{}").resumed()).isEmpty();
        assertThat(kernel.run(runId).status()).isEqualTo(RunStatus.WAITING);
    }

    @Test
    void eachClientsAccountManagerKeepsItsProjectsAndPreferencesAndIsConsultedForTheNextLead() throws Exception {
        send("client.note", "acme", "{\"to\": \"agent/client-account\", \"note\": \"prefers calls on Tuesdays\"}");
        String first = startLead("acme", STRONG_LEAD);
        approveProposal(first);
        clock.advance(Duration.ofHours(73));
        kernel.wake();
        awaitStep(first, "deliver", StepStatus.WAITING);
        send("delivery.accepted", "acme", "{}");
        // Delivered and invoiced; the run ends after its check-in email two weeks later.
        awaitStep(first, "check-in", StepStatus.WAITING);
        clock.advance(Duration.ofDays(14).plusMinutes(1));
        kernel.wake();
        var done = awaitStatus(first, RunStatus.COMPLETED);
        String projectId = done.context().path("project").path("projectId").asText();

        var account = Eventually.await(
                () -> kernel.agentInstance("client-account", "acme", 10),
                view -> view.instance().handled() == 3);
        assertThat(account.state().path("preferences"))
                .extracting(JsonNode::asText)
                .containsExactly("prefers calls on Tuesdays");
        assertThat(account.state().path("projects")).singleElement().satisfies(project -> {
            assertThat(project.path("projectId").asText()).isEqualTo(projectId);
            assertThat(project.path("status").asText()).isEqualTo("delivered");
            assertThat(project.path("amount").asInt()).isEqualTo(3995);
        });
        assertThat(account.instance().mailbox())
                .as("the check-in it set itself for a month after the delivery")
                .isEqualTo(1);
        assertThat(account.messages())
                .extracting(AgentInstanceView.Message::type)
                .containsExactly("later", "agent.message", "agent.message", "client.note");

        // The next lead of the same client: qualify-lead consults the account, and the proposal mentions it.
        String second = startLead("acme", STRONG_LEAD);
        TaskView proposal = awaitTask(second);
        var qualify = kernel.run(second).context().path("qualify");
        assertThat(qualify.path("history").asText())
                .isEqualTo("1 project delivered, last " + projectId
                        + " (standard: brand refresh and landing page); prefers: prefers calls on Tuesdays");
        assertThat(qualify.path("reasons").toString()).contains("returning client: 1 project delivered");
        assertThat(proposal.details().path("input").path("history").asText()).startsWith("1 project delivered");
        assertThat(kernel.agentInstances(Optional.empty()))
                .extracting(AgentInstance::subject)
                .containsExactly("acme");

        // A month after the delivery the account manager notes that it is time to check in.
        clock.advance(Duration.ofDays(30));
        kernel.wake();
        var checkedIn = Eventually.await(
                () -> kernel.agentInstance("client-account", "acme", 10),
                view -> view.instance().mailbox() == 0 && view.instance().handled() >= 4);
        assertThat(checkedIn.state().path("notes").toString())
                .contains("time to check in with acme about the next project (after " + projectId + ")");
        assertThat(kernel.verify().problems()).isEmpty();
    }

    private String startLead(String client, String data) throws Exception {
        List<String> started = send("lead.received", client, data).started();
        assertThat(started).hasSize(1);
        return started.getFirst();
    }

    private Accepted send(String type, String subject, String data) throws Exception {
        return kernel.send(new Event(
                UUID.randomUUID().toString(), type, subject, "test", clock.instant(), JSON.readTree(data), "", ""));
    }

    private RunView awaitStatus(String runId, RunStatus status) {
        return Eventually.await(() -> kernel.run(runId), run -> run.status() == status);
    }

    private RunView awaitStep(String runId, String stepId, StepStatus status) {
        return Eventually.await(() -> kernel.run(runId), run -> run.steps().stream()
                .anyMatch(s -> s.id().equals(stepId) && s.status() == status));
    }

    /** Approves the drafted proposal email as it is and waits for the sprint. */
    RunView approveProposal(String runId) {
        var proposal = Eventually.await(
                () -> kernel.tasks(false).stream()
                        .filter(t -> t.runId().equals(runId) && t.stepId().equals("propose"))
                        .toList(),
                tasks -> !tasks.isEmpty());
        kernel.approve(proposal.getFirst().id(), Optional.empty(), "");
        return awaitStep(runId, "sprint", StepStatus.WAITING);
    }

    private TaskView awaitTask(String runId) {
        return Eventually.await(
                        () -> kernel.tasks(false).stream()
                                .filter(t -> t.runId().equals(runId))
                                .toList(),
                        tasks -> !tasks.isEmpty())
                .getFirst();
    }

    private static MimeMessage single(MimeMessage[] received) {
        assertThat(received).hasSize(1);
        return received[0];
    }

    private static StepView step(RunView run, String stepId) {
        return run.steps().stream()
                .filter(s -> s.id().equals(stepId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("run " + run.id() + " has no step " + stepId));
    }
}
