package dev.aios.connectors.internal.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a webhook source signs its deliveries. Each scheme checks the signature over the raw body
 * (and, where the scheme has one, a timestamp within a tolerance, against replays) and says which
 * delivery id the sender gave, if any.
 */
public sealed interface SignatureScheme {

    /** Thrown when a delivery's signature is missing, wrong or stale; answered with 401. */
    final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /**
     * Checks a delivery.
     *
     * @param headers the request headers, names in lower case
     * @param body the raw body, as received
     * @param secret the source's signing secret
     * @param now the time to judge timestamps by
     * @return the delivery id the sender put in its headers, if the scheme has one
     * @throws Refused when the signature does not hold
     */
    Optional<String> verify(Map<String, String> headers, byte[] body, String secret, Instant now);

    /** The scheme's name in {@code aios.yaml}. */
    String name();

    /**
     * Stripe: {@code Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]}, HMAC-SHA256 over {@code
     * TIMESTAMP.BODY} with the endpoint secret ({@code whsec_…}) as the key, the timestamp within
     * {@code tolerance} of now.
     */
    record Stripe(Duration tolerance) implements SignatureScheme {
        @Override
        public Optional<String> verify(Map<String, String> headers, byte[] body, String secret, Instant now) {
            var header = required(headers, "stripe-signature");
            String timestamp = null;
            var expected = new java.util.ArrayList<String>();
            for (var part : header.split(",")) {
                var pair = part.strip().split("=", 2);
                if (pair.length == 2 && pair[0].equals("t")) {
                    timestamp = pair[1];
                } else if (pair.length == 2 && pair[0].equals("v1")) {
                    expected.add(pair[1]);
                }
            }
            if (timestamp == null || expected.isEmpty()) {
                throw new Refused("the Stripe-Signature header has no t= timestamp or no v1= signature");
            }
            fresh(seconds(timestamp), now, tolerance);
            var signed = Hmac.sha256(bytes(secret), Hmac.concat(bytes(timestamp + "."), body));
            for (var candidate : expected) {
                if (Hmac.same(bytes(HexFormat.of().formatHex(signed)), bytes(candidate.toLowerCase(Locale.ROOT)))) {
                    return Optional.empty();
                }
            }
            throw new Refused("the Stripe-Signature does not match the body; check the source's secret");
        }

        @Override
        public String name() {
            return "stripe";
        }
    }

    /**
     * GitHub: {@code X-Hub-Signature-256: sha256=HEX}, HMAC-SHA256 over the body; the delivery id
     * is {@code X-GitHub-Delivery}.
     */
    record GitHub() implements SignatureScheme {
        @Override
        public Optional<String> verify(Map<String, String> headers, byte[] body, String secret, Instant now) {
            var header = required(headers, "x-hub-signature-256");
            if (!header.startsWith("sha256=")) {
                throw new Refused("the X-Hub-Signature-256 header must start with sha256=");
            }
            var signed = HexFormat.of().formatHex(Hmac.sha256(bytes(secret), body));
            if (!Hmac.same(bytes(signed), bytes(header.substring(7).toLowerCase(Locale.ROOT)))) {
                throw new Refused("the X-Hub-Signature-256 does not match the body; check the source's secret");
            }
            return Optional.ofNullable(headers.get("x-github-delivery"));
        }

        @Override
        public String name() {
            return "github";
        }
    }

    /**
     * Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp} and {@code webhook-signature}
     * ({@code v1,BASE64} entries separated by spaces), HMAC-SHA256 over {@code ID.TIMESTAMP.BODY}
     * with the base64 key of the secret ({@code whsec_…}); the delivery id is {@code webhook-id}.
     */
    record StandardWebhooks(Duration tolerance) implements SignatureScheme {
        @Override
        public Optional<String> verify(Map<String, String> headers, byte[] body, String secret, Instant now) {
            var id = required(headers, "webhook-id");
            var timestamp = required(headers, "webhook-timestamp");
            var signatures = required(headers, "webhook-signature");
            fresh(seconds(timestamp), now, tolerance);
            var expected = Base64.getEncoder().encodeToString(sign(secret, id, timestamp, body));
            for (var entry : signatures.split(" ")) {
                var pair = entry.split(",", 2);
                if (pair.length == 2 && pair[0].equals("v1") && Hmac.same(bytes(expected), bytes(pair[1]))) {
                    return Optional.of(id);
                }
            }
            throw new Refused("no v1 signature in webhook-signature matches the body; check the source's secret");
        }

        /** The raw signature of a delivery, as a sender makes it. */
        public static byte[] sign(String secret, String id, String timestamp, byte[] body) {
            return Hmac.sha256(key(secret), Hmac.concat(bytes(id + "." + timestamp + "."), body));
        }

        /** The key of a {@code whsec_BASE64} secret (the prefix is optional). */
        public static byte[] key(String secret) {
            var encoded = secret.startsWith("whsec_") ? secret.substring(6) : secret;
            try {
                return Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                        "a Standard Webhooks secret is whsec_ followed by base64; this one is not base64", e);
            }
        }

        @Override
        public String name() {
            return "standard-webhooks";
        }
    }

    /**
     * Plain HMAC-SHA256 over the body in one header, as many form and chat services send it: hex or
     * base64, optionally after {@code sha256=}.
     */
    record HmacSha256(String header) implements SignatureScheme {
        @Override
        public Optional<String> verify(Map<String, String> headers, byte[] body, String secret, Instant now) {
            var given = required(headers, header.toLowerCase(Locale.ROOT));
            if (given.startsWith("sha256=")) {
                given = given.substring(7);
            }
            var signed = Hmac.sha256(bytes(secret), body);
            var hex = HexFormat.of().formatHex(signed);
            var base64 = Base64.getEncoder().encodeToString(signed);
            if (!Hmac.same(bytes(hex), bytes(given.toLowerCase(Locale.ROOT)))
                    && !Hmac.same(bytes(base64), bytes(given))) {
                throw new Refused("the " + header + " header does not match the body; check the source's secret");
            }
            return Optional.empty();
        }

        @Override
        public String name() {
            return "hmac-sha256";
        }
    }

    private static String required(Map<String, String> headers, String name) {
        var value = headers.get(name);
        if (value == null || value.isBlank()) {
            throw new Refused("the " + name + " header is missing; this source signs its deliveries");
        }
        return value.strip();
    }

    private static long seconds(String timestamp) {
        try {
            return Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw new Refused("the signature timestamp '" + timestamp + "' is not a number of seconds");
        }
    }

    private static void fresh(long epochSeconds, Instant now, Duration tolerance) {
        var age = Duration.between(Instant.ofEpochSecond(epochSeconds), now).abs();
        if (age.compareTo(tolerance) > 0) {
            throw new Refused("the signature is stale: signed " + age.toSeconds() + " s from now, more than the "
                    + tolerance.toSeconds() + " s allowed; a replayed or delayed delivery is refused");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
