package dev.aios.examples;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Memory;
import dev.aios.api.MemoryKind;
import dev.aios.api.Remember;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Drafts the check-in sent two weeks after a delivery: how is the work landing, and, when there is a
 * larger plan, an offer to move up to it. A draft only; the operator sends it.
 */
public final class DraftFollowUp implements Agent<DraftFollowUp.FollowUpRequest, DraftFollowUp.FollowUp> {

    /** How long after the delivery the check-in goes out. */
    public static final Duration CHECK_IN_AFTER = Duration.ofDays(14);

    /**
     * Who to follow up with about what.
     *
     * @param client the run's subject
     * @param company the client's company, empty if not given
     * @param name the contact's name, empty if unknown
     * @param email the contact's email
     * @param projectId the project delivered
     * @param plan the project's plan
     * @param scope what was designed
     */
    public record FollowUpRequest(
            String client, String company, String name, String email, String projectId, Plan plan, String scope) {}

    /**
     * A plan to offer.
     *
     * @param plan the larger plan
     * @param monthlyPrice its price per month
     * @param currency the price's currency
     */
    public record Upgrade(Plan plan, int monthlyPrice, String currency) {}

    /**
     * A follow-up message ready for the operator to send.
     *
     * @param to the recipient's email
     * @param sendOn the day to send it (UTC)
     * @param subject the email's subject line
     * @param text the email's body
     * @param upgrade the plan offered, absent when the client is on the largest plan
     */
    public record FollowUp(String to, LocalDate sendOn, String subject, String text, Optional<Upgrade> upgrade) {}

    private static final Contract<FollowUpRequest, FollowUp> CONTRACT = Contract.of(
                    "draft-follow-up", "1.0.0", FollowUpRequest.class, FollowUp.class)
            .withDescription("Drafts a check-in two weeks after a delivery, offering the next plan up.")
            .withTimeout(Duration.ofSeconds(5));

    @Override
    public Contract<FollowUpRequest, FollowUp> contract() {
        return CONTRACT;
    }

    @Override
    public FollowUp run(FollowUpRequest request, AgentContext context) {
        var sendOn = LocalDate.ofInstant(context.now().plus(CHECK_IN_AFTER), ZoneOffset.UTC);
        var upgrade = request.plan().upgrade().map(p -> new Upgrade(p, p.monthlyPrice(), Plan.CURRENCY));
        var greeting =
                request.name().isBlank() ? "Hi there," : "Hi " + request.name().strip() + ",";
        var client = request.company().isBlank()
                ? request.client()
                : request.company().strip();
        var offer = upgrade.map(
                        u -> "If the requests are piling up, the " + u.plan().label() + " plan ("
                                + u.plan().price() + ") delivers each sprint in "
                                + days(u.plan().sprintLength())
                                + " instead of " + days(request.plan().sprintLength())
                                + ". Happy to switch you over from your next cycle.\n\n")
                .orElse("If someone you know could use the same, I would be grateful for an introduction.\n\n");
        var text = greeting + "\n\n"
                + "It has been two weeks since we wrapped up " + request.scope() + " for " + client + " (project "
                + request.projectId() + "). How is it landing with your team and your customers? "
                + "Anything you would like refined is one request away.\n\n"
                + offer
                + "Thanks again!";
        context.memory().ifPresent(memory -> leaveNote(request, client, memory));
        return new FollowUp(
                request.email(), sendOn, "How are the new designs working for " + client + "?", text, upgrade);
    }

    /** A finished project leaves a note behind, which qualifying later leads recalls. */
    static void leaveNote(FollowUpRequest request, String client, Memory memory) {
        var note = client + ": " + request.scope() + ", on the "
                + request.plan().label() + " plan (" + request.plan().price() + "); delivered, accepted and invoiced.";
        var metadata = JsonNodeFactory.instance
                .objectNode()
                .put("about", "project")
                .put("projectId", request.projectId())
                .put("plan", request.plan().label())
                .put("outcome", "delivered");
        memory.remember(Remember.of(MemoryKind.NOTE, request.client(), note)
                .withMetadata(metadata)
                .withImportance(0.7));
    }

    private static String days(Duration length) {
        long days = length.toDays();
        return days == 1 ? "1 day" : days + " days";
    }
}
