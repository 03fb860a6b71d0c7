package dev.aios.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.Event;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.connectors.WebhookAnswer;
import dev.aios.connectors.WebhookRequest;
import dev.aios.connectors.internal.webhook.SignatureScheme;
import dev.aios.kernel.Kernel;
import dev.aios.server.ApiServer;
import dev.aios.server.internal.http.WebhookRoutes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What checking a webhook's signature costs per request: the same events taken in, one at a time,
 * signed through {@code POST /hooks/{source}} (HMAC-SHA256 over the body, checked before anything is
 * recorded) and unsigned through {@code POST /api/events} (a bearer token), over loopback HTTP and
 * in-process, in one JVM on one data directory, rounds alternating the two; and the HMAC check alone
 * on the same body, as a share of a request.
 *
 * <p>Run it with {@code java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*'
 * dev.aios.bench.IntakeBench [--requests N] [--rounds N] [--dir DIR]} after {@code mvn -B -q
 * -DskipTests package -pl aios-bench -am}.
 */
public final class IntakeBench {
    private static final String SECRET = "whsec_bench_7c1f0e0d9a4b4e4f8a1b2c3d4e5f6a7b";
    private static final ObjectMapper JSON = new ObjectMapper();

    private IntakeBench() {}

    /** One way in, timed. */
    private interface Intake {
        void take(int n) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int requests = 2000;
        int rounds = 3;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: IntakeBench [--requests N] [--rounds N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        var work = Files.createTempDirectory(Files.createDirectories(dir), "aios-intake-bench");
        var settings = ConnectorSettings.read(new YAMLMapper().readTree("""
                sources:
                  bench:
                    scheme: hmac-sha256
                    secret: BENCH_WEBHOOK_SECRET
                    type: "'bench.ping'"
                    subject: body.customer
                """)::get);
        var connectors = new ConnectorsExtension(settings, name -> Optional.of(SECRET));
        try (var kernel = Kernel.builder()
                        .dataDirectory(work.resolve("data"))
                        .extension(connectors)
                        .build();
                var server = ApiServer.start(kernel, "127.0.0.1", 0, new WebhookRoutes(kernel, connectors))) {
            kernel.start();
            String token = Files.readString(work.resolve("data").resolve(Kernel.ADMIN_TOKEN_FILE))
                    .strip();
            String url = "http://127.0.0.1:" + server.port();
            var http = HttpClient.newHttpClient();
            var counter = new int[] {0};

            Intake unsignedHttp = n -> expect(
                    http.send(
                            HttpRequest.newBuilder(URI.create(url + "/api/events"))
                                    .header("Content-Type", "application/json")
                                    .header("Authorization", "Bearer " + token)
                                    .POST(HttpRequest.BodyPublishers.ofString(apiEvent(n)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString()),
                    "POST /api/events");
            Intake signedHttp = n -> {
                byte[] body = delivery(n);
                expect(
                        http.send(
                                HttpRequest.newBuilder(URI.create(url + "/hooks/bench"))
                                        .header("Content-Type", "application/json")
                                        .header("X-Signature", "sha256=" + sign(body))
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString()),
                        "POST /hooks/bench");
            };
            Intake unsignedInProcess = n -> {
                var data = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(delivery(n));
                kernel.send(new Event(
                        "in-" + n, "bench.ping", "customer-" + (n % 100), "bench", Instant.now(), data, "", ""));
            };
            Intake signedInProcess = n -> {
                byte[] body = delivery(n);
                var answer = connectors.receive(
                        "bench",
                        new WebhookRequest(
                                Map.of("Content-Type", "application/json", "X-Signature", "sha256=" + sign(body)),
                                "application/json",
                                body));
                if (!(answer instanceof WebhookAnswer.Received)) {
                    throw new IllegalStateException("the signed delivery was refused: " + answer);
                }
            };

            // Warm-up, also of the JIT, then alternating rounds; every request is a new event.
            for (var intake : List.of(unsignedHttp, signedHttp, unsignedInProcess, signedInProcess)) {
                measure(intake, Math.min(300, requests), counter);
            }
            var figures = new double[4][rounds];
            var names = List.of(
                    "unsigned, POST /api/events (bearer token)",
                    "signed, POST /hooks/bench (HMAC-SHA256)",
                    "unsigned, in-process Kernel.send",
                    "signed, in-process webhook intake (check, map, send)");
            var intakes = List.of(unsignedHttp, signedHttp, unsignedInProcess, signedInProcess);
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < intakes.size(); i++) {
                    // Alternate the order too, so neither side always runs second.
                    int which = round % 2 == 0 ? i : i ^ 1;
                    figures[which][round] = measure(intakes.get(which), requests, counter);
                    System.err.printf(
                            Locale.ROOT,
                            "round %d: %s: %.1f µs per request%n",
                            round + 1,
                            names.get(which),
                            figures[which][round]);
                }
            }
            double hmac = hmacAlone(delivery(1), 200_000);
            report(names, figures, hmac, delivery(1).length, requests, rounds);
        }
    }

    /** Mean microseconds per request over {@code requests} requests, one at a time. */
    private static double measure(Intake intake, int requests, int[] counter) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            intake.take(counter[0]++);
        }
        return (System.nanoTime() - start) / 1_000.0 / requests;
    }

    /** Microseconds per check of the same body's signature alone, as the intake checks it. */
    private static double hmacAlone(byte[] body, int checks) {
        var scheme = new SignatureScheme.HmacSha256("X-Signature");
        var headers = Map.of("x-signature", "sha256=" + sign(body));
        var now = Instant.now();
        for (int i = 0; i < checks / 4; i++) {
            scheme.verify(headers, body, SECRET, now);
        }
        long start = System.nanoTime();
        for (int i = 0; i < checks; i++) {
            scheme.verify(headers, body, SECRET, now);
        }
        return (System.nanoTime() - start) / 1_000.0 / checks;
    }

    private static void report(
            List<String> names, double[][] figures, double hmac, int bytes, int requests, int rounds) {
        var medians = new double[figures.length];
        for (int i = 0; i < figures.length; i++) {
            var sorted = figures[i].clone();
            Arrays.sort(sorted);
            medians[i] = sorted[sorted.length / 2];
        }
        var out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "%d requests per round, %d rounds, one at a time; a %d-byte JSON body%n%n",
                requests,
                rounds,
                bytes));
        out.append("| intake (median of rounds) | µs per request | ratio |\n|---|---:|---:|\n");
        out.append(row(names.get(0), medians[0], ""));
        out.append(
                row(names.get(1), medians[1], String.format(Locale.ROOT, "÷ unsigned: %.2f", medians[1] / medians[0])));
        out.append(row(names.get(2), medians[2], ""));
        out.append(
                row(names.get(3), medians[3], String.format(Locale.ROOT, "÷ unsigned: %.2f", medians[3] / medians[2])));
        out.append(row(
                "the HMAC-SHA256 check alone (same body)",
                hmac,
                String.format(
                        Locale.ROOT,
                        "÷ unsigned HTTP: %.3f, ÷ unsigned in-process: %.3f",
                        hmac / medians[0],
                        hmac / medians[2])));
        var rows = new ArrayList<String>();
        for (int i = 0; i < names.size(); i++) {
            var each = new ArrayList<String>();
            for (double f : figures[i]) {
                each.add(String.format(Locale.ROOT, "%.0f", f));
            }
            rows.add(names.get(i) + ": " + String.join(" / ", each));
        }
        out.append("\nRounds (µs per request): ")
                .append(String.join("; ", rows))
                .append('\n');
        System.out.println(out);
    }

    private static String row(String name, double micros, String ratio) {
        return String.format(Locale.ROOT, "| %s | %.1f | %s |%n", name, micros, ratio);
    }

    private static void expect(HttpResponse<String> response, String what) {
        if (response.statusCode() != 202) {
            throw new IllegalStateException(what + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    /** A webhook delivery of about 700 bytes, as a CRM or payment provider sends one. */
    static byte[] delivery(int n) {
        var body = JSON.createObjectNode()
                .put("id", "evt_" + n)
                .put("customer", "customer-" + (n % 100))
                .put("n", n);
        var object = body.putObject("object");
        object.put("email", "customer-" + (n % 100) + "@example.test");
        object.put("amount", 4200 + n % 1000);
        object.put("currency", "eur");
        object.put("description", "Design subscription, standard plan, monthly; ".repeat(12));
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The same content as an event for {@code POST /api/events}. */
    static String apiEvent(int n) throws Exception {
        var event = JSON.createObjectNode()
                .put("id", "api-" + n)
                .put("type", "bench.ping")
                .put("subject", "customer-" + (n % 100));
        event.set("data", JSON.readTree(delivery(n)));
        return event.toString();
    }

    static String sign(byte[] body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
