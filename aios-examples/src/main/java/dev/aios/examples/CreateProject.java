package dev.aios.examples;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.PermanentFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Opens the canonical project record for a qualified lead: who the client is, what plan at what
 * price, what is in scope, when it starts, and how long the sprint and the client's review take.
 * The project id comes from the step's idempotency key, so running the step again gives the same
 * project rather than a second one.
 */
public final class CreateProject implements Agent<CreateProject.ProjectRequest, CreateProject.Project> {

    /** How long the client has to review a delivery when the lead does not say. */
    public static final Duration DEFAULT_REVIEW_WINDOW = Duration.ofDays(5);

    /**
     * What the project is opened from.
     *
     * @param client the run's subject, e.g. {@code acme}
     * @param name the contact's name
     * @param email the contact's email
     * @param company the client's company, empty if not given
     * @param plan the plan agreed on
     * @param need what the client wants designed
     * @param sprint the sprint length the client asked for (e.g. {@code 48h}, {@code P5D}); empty for
     *     the plan's
     * @param reviewWindow how long the client wants to review a delivery; empty for five days
     */
    public record ProjectRequest(
            String client,
            String name,
            String email,
            String company,
            Plan plan,
            String need,
            String sprint,
            String reviewWindow) {}

    /**
     * Who to talk to about a project.
     *
     * @param name their name, empty if unknown
     * @param email their email
     */
    public record Contact(String name, String email) {}

    /**
     * The canonical project record.
     *
     * @param projectId the project's id, the same however often the step runs
     * @param client the client, as the run's subject
     * @param company the client's company, empty if not given
     * @param contact who to talk to
     * @param plan the plan
     * @param monthlyPrice the plan's price per month
     * @param currency the price's currency
     * @param scope what is being designed
     * @param startDate the day the project started (UTC)
     * @param sprintLength how long the design sprint takes
     * @param deliveryDue when the sprint's designs are due
     * @param reviewWindow how long the client has to accept a delivery before a reminder
     */
    public record Project(
            String projectId,
            String client,
            String company,
            Contact contact,
            Plan plan,
            int monthlyPrice,
            String currency,
            String scope,
            LocalDate startDate,
            Duration sprintLength,
            Instant deliveryDue,
            Duration reviewWindow) {}

    private static final Contract<ProjectRequest, Project> CONTRACT = Contract.of(
                    "create-project", "1.0.0", ProjectRequest.class, Project.class)
            .withDescription("Opens the canonical project record for a qualified lead.")
            .withPreconditions("input.email != ''")
            .withEffects("projects")
            .withTimeout(Duration.ofSeconds(5));

    @Override
    public Contract<ProjectRequest, Project> contract() {
        return CONTRACT;
    }

    @Override
    public Project run(ProjectRequest request, AgentContext context) {
        var plan = request.plan();
        var sprint = request.sprint().isBlank() ? plan.sprintLength() : length("sprint", request.sprint());
        var review = request.reviewWindow().isBlank()
                ? DEFAULT_REVIEW_WINDOW
                : length("reviewWindow", request.reviewWindow());
        var now = context.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        var need = request.need().strip();
        return new Project(
                ReferenceNumbers.derive("PRJ", context.idempotencyKey()),
                request.client(),
                request.company().strip(),
                new Contact(request.name().strip(), request.email().strip()),
                plan,
                plan.monthlyPrice(),
                Plan.CURRENCY,
                need.isEmpty() ? "design requests on the " + plan.label() + " plan" : need,
                LocalDate.ofInstant(now, ZoneOffset.UTC),
                sprint,
                now.plus(sprint),
                review);
    }

    /**
     * A length of time as a lead writes it: {@code 30s}, {@code 90m}, {@code 48h}, {@code 5d}, {@code 2w} or
     * ISO-8601 such as {@code P5D} or {@code PT36H}.
     *
     * @throws PermanentFailure naming {@code field} when {@code text} is not a positive length
     */
    static Duration length(String field, String text) {
        var length = dev.aios.api.Durations.parse(text).orElseThrow(() -> notALength(field, text));
        if (length.isNegative() || length.isZero()) {
            throw notALength(field, text);
        }
        return length;
    }

    private static PermanentFailure notALength(String field, String text) {
        return new PermanentFailure("the lead's " + field + " '" + text
                + "' is not a length of time; send one such as 48h, 5d or P5D, or leave it out for the default");
    }
}
