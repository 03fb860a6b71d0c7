package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.examples.QualifyLead.Lead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QualifyLeadTest {

    static Lead lead(int budget, String need, String plan) {
        return new Lead("acme", "Ada Lovelace", "ada@acme.test", "Acme", budget, need, plan);
    }

    @Test
    void aStrongLeadScoresHighWithFullConfidenceAndGetsThePlanItAskedFor() {
        var result = QualifyLead.qualify(lead(4000, "brand refresh and landing page", "standard"));

        assertThat(result.score()).isEqualTo(85);
        assertThat(result.confidence()).isEqualTo(1.0);
        assertThat(result.plan()).isEqualTo(Plan.STANDARD);
        assertThat(result.monthlyPrice()).isEqualTo(3995);
        assertThat(result.currency()).isEqualTo("USD");
        assertThat(result.reasons())
                .contains(
                        "budget $4,000/month covers the standard plan",
                        "asks for brand, landing page work",
                        "company: Acme",
                        "contact: ada@acme.test",
                        "offer standard, as asked");
    }

    @ParameterizedTest(name = "a budget of {0} scores {1} and is offered {2}")
    @CsvSource({
        "9000, 80, priority",
        "6995, 80, priority",
        "6994, 75, standard",
        "3995, 75, standard",
        "2500, 65, starter",
        "1995, 65, starter",
        "1000, 40, starter",
        "0,    50, starter"
    })
    void theBudgetBandSetsTheScoreAndThePlan(int budget, int score, String plan) {
        var result = QualifyLead.qualify(lead(budget, "a new logo", ""));

        assertThat(result.score()).isEqualTo(score);
        assertThat(result.plan().label()).isEqualTo(plan);
    }

    @Test
    void eachKindOfDesignWorkCountsOnceUpToThirtyPoints() {
        int none = QualifyLead.qualify(lead(4000, "help with bookkeeping", "")).score();
        int one = QualifyLead.qualify(lead(4000, "a logo, and logos for the team", ""))
                .score();
        int many = QualifyLead.qualify(lead(4000, "rebrand, website, mobile app and a pitch deck", ""))
                .score();

        assertThat(one - none).isEqualTo(10);
        assertThat(many - none).isEqualTo(30);
        assertThat(QualifyLead.qualify(lead(4000, "help with bookkeeping", "")).reasons())
                .contains("'help with bookkeeping' is not design work the studio sells");
    }

    @Test
    void wordsThatOnlyContainAKeywordDoNotCount() {
        var result = QualifyLead.qualify(lead(4000, "a happy approach to websiteless sales", ""));

        assertThat(result.reasons())
                .contains("'a happy approach to websiteless sales' is not design work the studio sells");
    }

    @Test
    void aThinLeadHasLowConfidenceAndSaysWhatIsMissing() {
        var thin = QualifyLead.qualify(new Lead("globex", "", "hank@globex.test", "Globex", 0, "website and app", ""));

        assertThat(thin.confidence()).isEqualTo(0.6);
        assertThat(thin.score()).isEqualTo(60);
        assertThat(thin.plan()).isEqualTo(Plan.STARTER);
        assertThat(thin.reasons()).contains("no budget given", "offer starter until the budget is known");

        var empty = QualifyLead.qualify(new Lead("someone", "", "", "", 0, "", ""));
        assertThat(empty.confidence()).isEqualTo(0.0);
        assertThat(empty.reasons()).contains("no need described", "no company given", "no email given");
    }

    @Test
    void anUnusableEmailCountsAsNoContact() {
        var result = QualifyLead.qualify(new Lead("acme", "Ada", "ada at acme", "Acme", 4000, "logo", ""));

        assertThat(result.confidence()).isEqualTo(0.8);
        assertThat(result.reasons()).contains("'ada at acme' is not a usable email");
    }

    @Test
    void askingForAPlanTheBudgetDoesNotCoverLowersConfidenceAndOffersWhatItCovers() {
        var result = QualifyLead.qualify(lead(4000, "brand refresh", "priority"));

        assertThat(result.confidence()).isEqualTo(0.7);
        assertThat(result.plan()).isEqualTo(Plan.STANDARD);
        assertThat(result.reasons())
                .contains(
                        "asked for priority ($6,995/month) but the budget is $4,000/month",
                        "offer standard, the largest plan the budget covers");
    }

    @Test
    void askingForAPlanTheStudioDoesNotSellIsAContradiction() {
        var result = QualifyLead.qualify(lead(9000, "logo", "Gold"));

        assertThat(result.confidence()).isEqualTo(0.7);
        assertThat(result.plan()).isEqualTo(Plan.PRIORITY);
        assertThat(result.reasons()).contains("asked for a plan the studio does not sell: 'Gold'");
    }

    @Test
    void planNamesAreMatchedWhateverTheirCase() {
        assertThat(QualifyLead.qualify(lead(0, "logo", " Priority ")).plan()).isEqualTo(Plan.PRIORITY);
    }

    @Test
    void theSameLeadAlwaysGetsTheSameResult() {
        var lead = lead(4000, "brand refresh and landing page", "standard");

        assertThat(new QualifyLead().run(lead, StepContext.of("r-1", "qualify")))
                .isEqualTo(new QualifyLead().run(lead, StepContext.of("r-2", "qualify")));
    }
}
