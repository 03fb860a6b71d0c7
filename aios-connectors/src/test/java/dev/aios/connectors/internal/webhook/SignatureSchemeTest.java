package dev.aios.connectors.internal.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each scheme accepts its publisher's example delivery and refuses a tampered, unsigned or stale one. */
class SignatureSchemeTest {
    private static final Duration FIVE_MINUTES = Duration.ofMinutes(5);

    /** GitHub's documented test values for validating X-Hub-Signature-256. */
    @Test
    void gitHubsPublishedExampleVerifies() {
        var headers = Map.of(
                "x-hub-signature-256",
                "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                "x-github-delivery",
                "72d3162e-cc78-11e3-81ab-4c9367dc0958");
        var delivery = new SignatureScheme.GitHub()
                .verify(headers, bytes("Hello, World!"), "It's a Secret to Everybody", Instant.now());
        assertThat(delivery).contains("72d3162e-cc78-11e3-81ab-4c9367dc0958");
        assertThatThrownBy(() -> new SignatureScheme.GitHub()
                        .verify(headers, bytes("Hello, World?"), "It's a Secret to Everybody", Instant.now()))
                .isInstanceOf(SignatureScheme.Refused.class)
                .hasMessageContaining("does not match");
    }

    /** The test vector published with the Standard Webhooks specification and its reference libraries. */
    @Test
    void standardWebhooksPublishedVectorVerifiesAndReproduces() {
        var secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var body = bytes("{\"test\": 2432232314}");
        var signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        var signedAt = Instant.ofEpochSecond(1614265330);
        var headers = Map.of(
                "webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                "webhook-timestamp", "1614265330",
                "webhook-signature", "v1,bm9wZQ== " + signature);

        var scheme = new SignatureScheme.StandardWebhooks(FIVE_MINUTES);
        assertThat(scheme.verify(headers, body, secret, signedAt.plusSeconds(30)))
                .contains("msg_p5jXN8AQM9LWM0D4loKWxJek");
        assertThat("v1,"
                        + Base64.getEncoder()
                                .encodeToString(SignatureScheme.StandardWebhooks.sign(
                                        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body)))
                .isEqualTo(signature);
        assertThatThrownBy(() -> scheme.verify(headers, body, secret, signedAt.plus(Duration.ofMinutes(6))))
                .isInstanceOf(SignatureScheme.Refused.class)
                .hasMessageContaining("stale");
    }

    /**
     * Stripe's scheme as its documentation describes it: HMAC-SHA256 of {@code t.body} under the
     * endpoint secret, hex in {@code v1}. The expected value was computed apart from this code
     * ({@code printf '1492774577.BODY' | openssl dgst -sha256 -hmac whsec_test_secret}).
     */
    @Test
    void stripeSignatureOfTheDocumentedFormVerifies() {
        var body = bytes("{\n  \"id\": \"evt_test_webhook\",\n  \"object\": \"event\"\n}");
        var header = "t=1492774577,v1=c2f890decbc5ede7c5060bb9a6d31e0626a4342bacb9aeae2adb1bcea72f9812,"
                + "v0=ignored-by-receivers";
        var scheme = new SignatureScheme.Stripe(FIVE_MINUTES);
        var signedAt = Instant.ofEpochSecond(1492774577);

        assertThat(scheme.verify(Map.of("stripe-signature", header), body, "whsec_test_secret", signedAt))
                .isEmpty();
        assertThatThrownBy(
                        () -> scheme.verify(Map.of("stripe-signature", header), body, "whsec_other_secret", signedAt))
                .isInstanceOf(SignatureScheme.Refused.class)
                .hasMessageContaining("does not match");
        assertThatThrownBy(() -> scheme.verify(
                        Map.of("stripe-signature", header), body, "whsec_test_secret", signedAt.plusSeconds(301)))
                .isInstanceOf(SignatureScheme.Refused.class)
                .hasMessageContaining("stale");
    }

    @Test
    void plainHmacTakesHexOrBase64InTheConfiguredHeader() {
        var body = bytes("Hello, World!");
        var scheme = new SignatureScheme.HmacSha256("X-Form-Signature");
        var hex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        var base64 = Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hex));

        assertThat(scheme.verify(Map.of("x-form-signature", hex), body, "It's a Secret to Everybody", Instant.now()))
                .isEmpty();
        assertThat(scheme.verify(
                        Map.of("x-form-signature", "sha256=" + base64),
                        body,
                        "It's a Secret to Everybody",
                        Instant.now()))
                .isEmpty();
        assertThatThrownBy(() -> scheme.verify(Map.of(), body, "It's a Secret to Everybody", Instant.now()))
                .isInstanceOf(SignatureScheme.Refused.class)
                .hasMessageContaining("x-form-signature header is missing");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
