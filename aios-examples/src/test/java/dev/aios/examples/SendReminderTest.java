package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.examples.SendReminder.ReminderRequest;
import org.junit.jupiter.api.Test;

class SendReminderTest {

    static final ReminderRequest REQUEST = new ReminderRequest(
            "acme", "Acme", "Ada Lovelace", "ada@acme.test", "PRJ-0123456789", "brand refresh and landing page");

    final SendReminder agent = new SendReminder();

    @Test
    void theFirstReminderSaysItIsTheFirstAndNamesTheClientAndProject() {
        var reminder = agent.run(REQUEST, StepContext.of("r-1", "remind"));

        assertThat(reminder.to()).isEqualTo("ada@acme.test");
        assertThat(reminder.reminderNumber()).isEqualTo(1);
        assertThat(reminder.text())
                .startsWith("Hi Ada Lovelace,")
                .contains("the designs for Acme (brand refresh and landing page, project PRJ-0123456789)")
                .contains("This is my first reminder");
    }

    @Test
    void theReminderCountComesFromTheStepsIteration() {
        var third = agent.run(REQUEST, StepContext.of("r-1", "remind").withIteration(2));

        assertThat(third.reminderNumber()).isEqualTo(3);
        assertThat(third.text()).contains("This is my third reminder");
    }

    @Test
    void withoutANameOrCompanyItGreetsPolitelyAndNamesTheClient() {
        var request = new ReminderRequest("tinyco", "", "", "tom@tinyco.test", "PRJ-0123456789", "a logo");

        var reminder = agent.run(request, StepContext.of("r-1", "remind"));

        assertThat(reminder.text()).startsWith("Hi there,").contains("the designs for tinyco (a logo");
    }

    @Test
    void ordinalsReadNaturally() {
        assertThat(SendReminder.ordinal(1)).isEqualTo("first");
        assertThat(SendReminder.ordinal(5)).isEqualTo("fifth");
        assertThat(SendReminder.ordinal(6)).isEqualTo("6th");
        assertThat(SendReminder.ordinal(11)).isEqualTo("11th");
        assertThat(SendReminder.ordinal(21)).isEqualTo("21st");
        assertThat(SendReminder.ordinal(22)).isEqualTo("22nd");
        assertThat(SendReminder.ordinal(113)).isEqualTo("113th");
    }
}
