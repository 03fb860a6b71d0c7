package dev.aios.examples;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import java.time.Duration;

/**
 * Writes a polite reminder to a client who has not yet reviewed a delivery. The playbook loops
 * through this step each time the review window passes; the reminder counts how often it was sent
 * from the step's iteration, so the second reminder says it is the second.
 */
public final class SendReminder implements Agent<SendReminder.ReminderRequest, SendReminder.Reminder> {

    /**
     * Who to remind about what.
     *
     * @param client the run's subject
     * @param company the client's company, empty if not given
     * @param name the contact's name, empty if unknown
     * @param email the contact's email
     * @param projectId the project delivered
     * @param scope what was designed
     */
    public record ReminderRequest(
            String client, String company, String name, String email, String projectId, String scope) {}

    /**
     * A reminder ready to send.
     *
     * @param to the recipient's email
     * @param reminderNumber 1 for the first reminder about this delivery
     * @param subject the email's subject line
     * @param text the email's body
     */
    public record Reminder(String to, int reminderNumber, String subject, String text) {}

    private static final String[] ORDINALS = {"first", "second", "third", "fourth", "fifth"};

    private static final Contract<ReminderRequest, Reminder> CONTRACT = Contract.of(
                    "send-reminder", "1.0.0", ReminderRequest.class, Reminder.class)
            .withDescription("Reminds a client, politely, that a delivery is waiting for their review.")
            .withPreconditions("input.email != ''")
            .withEffects("email")
            .withTimeout(Duration.ofSeconds(5));

    @Override
    public Contract<ReminderRequest, Reminder> contract() {
        return CONTRACT;
    }

    @Override
    public Reminder run(ReminderRequest request, AgentContext context) {
        int number = context.iteration() + 1;
        var greeting =
                request.name().isBlank() ? "Hi there," : "Hi " + request.name().strip() + ",";
        var client = request.company().isBlank()
                ? request.client()
                : request.company().strip();
        var text = greeting + "\n\n"
                + "A friendly nudge: the designs for " + client + " (" + request.scope() + ", project "
                + request.projectId() + ") are ready and waiting for your review. This is my " + ordinal(number)
                + " reminder, so no pressure, but I would love to hear what you think.\n\n"
                + "Reply to accept the delivery, or tell me what to change and I will get on it.\n\n"
                + "Thanks!";
        return new Reminder(request.email(), number, "Reminder: your designs are ready for review", text);
    }

    /** {@code first}, {@code second}, … for small numbers, {@code 6th}, {@code 11th}, … after. */
    static String ordinal(int number) {
        if (number >= 1 && number <= ORDINALS.length) {
            return ORDINALS[number - 1];
        }
        int lastTwo = number % 100;
        var suffix = lastTwo >= 11 && lastTwo <= 13
                ? "th"
                : switch (number % 10) {
                    case 1 -> "st";
                    case 2 -> "nd";
                    case 3 -> "rd";
                    default -> "th";
                };
        return number + suffix;
    }
}
