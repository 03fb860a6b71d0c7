package dev.aios.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Personal data leaves for a provider only as placeholders, and comes back in the answer. */
class PrivacyTest {
    static final String POLICY = """
            segments:
              health: "record.?sector.orValue('') == 'health'"
            privacy:
              redact: [emails, phones, ibans]
              fields: ["$.contact.name", "$.people[*].name"]
              localOnly: [health]
            """;

    @TempDir
    Path dir;

    PolicyHarness aios;

    @BeforeEach
    void start() {
        aios = new PolicyHarness(dir, POLICY);
        aios.customer("clinic", "{sector: health}");
    }

    @AfterEach
    void stop() {
        aios.close();
    }

    @Test
    void emailsPhonesIbansAndPersonalFieldsBecomePlaceholdersAndAreRestoredInTheAnswer() {
        var input = PolicyHarness.yaml("{contact: {name: Ann Example}, people: [{name: Bob Sample}]}");
        var prompt = "Write to Ann Example (ann@example.com, +44 20 7946 0958) about invoice 2026-12-02,"
                + " amount 1200.50, paid from GB82 WEST 1234 5698 7654 32; cc Bob Sample and ann@example.com.";

        var redaction = aios.policy.redact("acme", input, List.of(prompt), "openai", false);

        var sent = redaction.texts().getFirst();
        assertThat(sent)
                .doesNotContain("Ann Example", "ann@example.com", "7946", "GB82", "Bob Sample")
                .contains("[PERSONAL_1]", "[EMAIL_1]", "[PHONE_1]", "[IBAN_1]", "[PERSONAL_2]")
                .contains("2026-12-02", "1200.50");
        assertThat(sent.indexOf("[EMAIL_1]")).isNotEqualTo(sent.lastIndexOf("[EMAIL_1]"));
        assertThat(redaction.redacted())
                .extracting(Redaction.Redacted::kind)
                .containsExactlyInAnyOrder("$.contact.name", "$.people[*].name", "emails", "phones", "ibans");
        assertThat(redaction.restore("{\"to\": \"[EMAIL_1]\", \"greeting\": \"Dear [PERSONAL_1]\"}", true))
                .isEqualTo("{\"to\": \"ann@example.com\", \"greeting\": \"Dear Ann Example\"}");
    }

    @Test
    void aNumberThatFailsTheIbanCheckIsNotTakenForAnIban() {
        var redaction = aios.policy.redact(
                "acme",
                PolicyHarness.JSON.objectNode(),
                List.of("reference GB00 WEST 1234 5698 7654 32"),
                "openai",
                false);

        assertThat(redaction.redacted()).extracting(Redaction.Redacted::kind).doesNotContain("ibans");
        assertThat(redaction.texts().getFirst()).contains("GB00 WEST");
    }

    @Test
    void aSubjectInALocalOnlySegmentIsRefusedARemoteProviderButNotALocalOne() {
        var remote = aios.policy.redact("clinic", PolicyHarness.JSON.objectNode(), List.of("hello"), "openai", false);
        var local = aios.policy.redact("clinic", PolicyHarness.JSON.objectNode(), List.of("hello"), "ollama", true);

        assertThat(remote.refusal())
                .hasValueSatisfying(
                        why -> assertThat(why).contains("segment 'health'").contains("local: true"));
        assertThat(local.refusal()).isEmpty();
        assertThat(local.texts()).containsExactly("hello");
    }
}
