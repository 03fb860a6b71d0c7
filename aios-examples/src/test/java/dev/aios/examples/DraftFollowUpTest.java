package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.examples.DraftFollowUp.FollowUpRequest;
import dev.aios.examples.DraftFollowUp.Upgrade;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class DraftFollowUpTest {

    final DraftFollowUp agent = new DraftFollowUp();

    static FollowUpRequest request(Plan plan) {
        return new FollowUpRequest(
                "acme", "Acme", "Ada Lovelace", "ada@acme.test", "PRJ-0123456789", plan, "brand refresh");
    }

    @Test
    void theCheckInGoesOutTwoWeeksAfterDeliveryAndOffersTheNextPlan() {
        var draft = agent.run(request(Plan.STANDARD), StepContext.of("r-1", "follow-up"));

        assertThat(draft.to()).isEqualTo("ada@acme.test");
        assertThat(draft.sendOn()).isEqualTo(LocalDate.of(2026, 3, 16));
        assertThat(draft.subject()).isEqualTo("How are the new designs working for Acme?");
        assertThat(draft.upgrade()).contains(new Upgrade(Plan.PRIORITY, 6995, "USD"));
        assertThat(draft.text())
                .startsWith("Hi Ada Lovelace,")
                .contains("since we wrapped up brand refresh for Acme (project PRJ-0123456789)")
                .contains("the priority plan ($6,995/month) delivers each sprint in 2 days instead of 3 days");
    }

    @Test
    void aClientOnTheLargestPlanIsAskedForAnIntroductionInstead() {
        var draft = agent.run(request(Plan.PRIORITY), StepContext.of("r-1", "follow-up"));

        assertThat(draft.upgrade()).isEmpty();
        assertThat(draft.text()).contains("grateful for an introduction").doesNotContain("plan (");
    }
}
