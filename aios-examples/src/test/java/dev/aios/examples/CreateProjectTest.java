package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.examples.CreateProject.Contact;
import dev.aios.examples.CreateProject.ProjectRequest;
import java.time.Duration;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class CreateProjectTest {

    static ProjectRequest request(String sprint, String reviewWindow) {
        return new ProjectRequest(
                "acme",
                "Ada Lovelace",
                "ada@acme.test",
                "Acme",
                Plan.STANDARD,
                "brand refresh and landing page",
                sprint,
                reviewWindow);
    }

    final CreateProject agent = new CreateProject();

    @Test
    void theProjectRecordCarriesClientPlanPriceScopeAndDates() {
        var project = agent.run(request("", ""), StepContext.of("r-1", "project"));

        assertThat(project.projectId()).matches("PRJ-[0-9A-F]{10}");
        assertThat(project.client()).isEqualTo("acme");
        assertThat(project.company()).isEqualTo("Acme");
        assertThat(project.contact()).isEqualTo(new Contact("Ada Lovelace", "ada@acme.test"));
        assertThat(project.plan()).isEqualTo(Plan.STANDARD);
        assertThat(project.monthlyPrice()).isEqualTo(3995);
        assertThat(project.currency()).isEqualTo("USD");
        assertThat(project.scope()).isEqualTo("brand refresh and landing page");
        assertThat(project.startDate()).isEqualTo(LocalDate.of(2026, 3, 2));
        assertThat(project.sprintLength()).isEqualTo(Duration.ofHours(72));
        assertThat(project.deliveryDue()).isEqualTo(StepContext.NOW.plus(Duration.ofHours(72)));
        assertThat(project.reviewWindow()).isEqualTo(Duration.ofDays(5));
    }

    @Test
    void theProjectIdComesFromTheIdempotencyKeySoARetryGivesTheSameProject() {
        var first = agent.run(request("", ""), StepContext.of("r-1", "project"));
        var retry = agent.run(request("", ""), StepContext.of("r-1", "project").withAttempt(3));
        var otherRun = agent.run(request("", ""), StepContext.of("r-2", "project"));

        assertThat(retry.projectId()).isEqualTo(first.projectId());
        assertThat(otherRun.projectId()).isNotEqualTo(first.projectId());
    }

    @Test
    void theLeadCanAskForItsOwnSprintLengthAndReviewWindow() {
        var project = agent.run(request("48h", "P7D"), StepContext.of("r-1", "project"));

        assertThat(project.sprintLength()).isEqualTo(Duration.ofHours(48));
        assertThat(project.reviewWindow()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void lengthsAreReadInTheFormsALeadWrites() {
        assertThat(CreateProject.length("sprint", "90m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(CreateProject.length("sprint", " 5D ")).isEqualTo(Duration.ofDays(5));
        assertThat(CreateProject.length("sprint", "2w")).isEqualTo(Duration.ofDays(14));
        assertThat(CreateProject.length("sprint", "pt36h")).isEqualTo(Duration.ofHours(36));
    }

    @Test
    void aLengthThatIsNotOneSaysWhatToSend() {
        assertThatThrownBy(() -> agent.run(request("soon", ""), StepContext.of("r-1", "project")))
                .isInstanceOf(dev.aios.api.PermanentFailure.class)
                .hasMessage("the lead's sprint 'soon' is not a length of time; send one such as 48h, 5d or P5D,"
                        + " or leave it out for the default");
        assertThatThrownBy(() -> CreateProject.length("reviewWindow", "0h")).hasMessageContaining("reviewWindow '0h'");
    }

    @Test
    void eachPlanHasItsOwnSprintLength() {
        var starter = new ProjectRequest("tinyco", "", "tom@tinyco.test", "", Plan.STARTER, "", "", "");

        var project = agent.run(starter, StepContext.of("r-1", "project"));

        assertThat(project.sprintLength()).isEqualTo(Duration.ofDays(5));
        assertThat(project.scope()).isEqualTo("design requests on the starter plan");
        assertThat(project.contact()).isEqualTo(new Contact("", "tom@tinyco.test"));
    }
}
