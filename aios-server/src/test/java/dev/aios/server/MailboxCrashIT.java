package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.testing.Poll;
import dev.aios.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateful agents' mailboxes through a real server process killed with SIGKILL while instances are
 * handling messages: a run sends 300 numbers, one at a time, to the tally keeper's instances for
 * ten subjects; each handling charges its number through the payments API, and the server is killed
 * three times with charges in flight. Afterwards every instance has seen exactly its own numbers, in
 * the order they were sent, every number was charged once, and the journal verifies.
 */
class MailboxCrashIT {
    private static final int NUMBERS = 300;
    private static final int SUBJECTS = 10;
    private static final Duration DEADLINE = Duration.ofSeconds(180);

    static final String TALLY = """
            name: tally
            trigger: tally.requested
            steps:
              - id: numbers
                forEach: event.data.numbers
                as: n
                concurrency: 1
                steps:
                  - id: tell
                    send:
                      to: agent/tally-keeper
                      subject: "'client-' + string(n % 10)"
                      message: { n: n }
            """;

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void everyMessageIsHandledOnceAndInOrderThoughTheServerIsKilledWhileHandlingThem(TestReporter reporter)
            throws Exception {
        long started = System.nanoTime();
        var playbooks = Files.createDirectories(directory.resolve("playbooks"));
        Files.writeString(playbooks.resolve("tally.yaml"), TALLY);

        try (var payments = Payments.start();
                var server = ServerProcess.builder(directory)
                        .environment(PaymentAgents.URL_VARIABLE, payments.url())
                        .arguments("--playbooks", playbooks.toString(), "--no-examples")
                        .start()) {
            var http = server.http();
            var numbers = String.join(
                    ",",
                    IntStream.rangeClosed(1, NUMBERS)
                            .mapToObj(Integer::toString)
                            .toList());
            payments.hold();
            var accepted = http.post(
                            "/api/events",
                            "{\"id\": \"tally-1\", \"type\": \"tally.requested\", \"subject\": \"tally\", \"data\":"
                                    + " {\"numbers\": [" + numbers + "]}}")
                    .expect(202)
                    .json();
            assertThat(accepted.path("started"))
                    .as("runs started by " + accepted)
                    .hasSize(1);
            String run = accepted.path("started").get(0).asText();

            // 1: the very first message's charge is in flight
            killHeld(server, payments);
            // 2: in the middle, messages queued for every instance
            killAfter(server, payments, NUMBERS / 3);
            // 3: later, with a charge in flight
            Poll.until(
                    (2 * NUMBERS / 3) + " payments",
                    () -> payments.applied().size(),
                    n -> n >= 2 * NUMBERS / 3,
                    DEADLINE,
                    () -> server.explain("log"));
            payments.hold();
            killHeld(server, payments);

            Poll.until(
                    "every message handled",
                    () -> http.get("/api/agents/instances?agent=tally-keeper")
                            .expect(200)
                            .json(),
                    all -> all.size() == SUBJECTS
                            && StreamSupport.stream(all.spliterator(), false)
                                            .mapToLong(i -> i.path("handled").asLong())
                                            .sum()
                                    == NUMBERS,
                    DEADLINE,
                    () -> http.get("/api/agents/instances").body() + "\n" + server.explain("server log"));
            // The last message can be handled before the run that sent it records its own end.
            Poll.until(
                    "run " + run + " to complete",
                    () -> http.get("/api/runs/" + run).expect(200).json(),
                    r -> r.path("status").asText().equals("completed"),
                    DEADLINE,
                    () -> server.explain("server log"));

            for (int s = 0; s < SUBJECTS; s++) {
                int subject = s;
                var view = http.get("/api/agents/tally-keeper/instances/client-" + s + "?limit=200")
                        .expect(200)
                        .json();
                var seen = new ArrayList<Integer>();
                view.path("state").path("seen").forEach(n -> seen.add(n.asInt()));
                assertThat(seen)
                        .as("client-%d's numbers, each once, in the order they were sent", s)
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, NUMBERS)
                                .filter(n -> n % 10 == subject)
                                .boxed()
                                .toList());
                assertThat(view.path("instance").path("failed").asLong()).isZero();
                assertThat(view.path("instance").path("mailbox").asLong()).isZero();
            }

            var applied = payments.applied();
            assertThat(applied).as("one payment per message").hasSize(NUMBERS);
            Map<String, Integer> charged = new HashMap<>();
            applied.values()
                    .forEach(a -> charged.merge(a.request().path("order").asText(), 1, Integer::sum));
            assertThat(charged.values()).as("no number charged twice").containsOnly(1);
            List<String> expected = IntStream.rangeClosed(1, NUMBERS)
                    .mapToObj(n -> "client-" + (n % 10) + "/" + n)
                    .toList();
            assertThat(charged.keySet()).containsExactlyInAnyOrderElementsOf(expected);

            int exitCode = server.stop();
            assertThat(exitCode).as(server.explain("exit code after SIGTERM")).isIn(0, 143);
            Checkouts.assertVerifies(server, 1);

            var figures = String.format(
                    "mailbox crash test: 3 kills, %d payment requests for %d messages, %.1f s",
                    payments.requestCount(), applied.size(), (System.nanoTime() - started) / 1e9);
            System.out.println(figures);
            reporter.publishEntry("figures", figures);
        }
    }

    /** Kills the server once a payment request is held (the payments API holds them), then lets it through. */
    private static void killHeld(ServerProcess server, Payments payments) {
        Poll.until(
                "a payment to be in flight", payments::held, held -> held > 0, DEADLINE, () -> server.explain("log"));
        server.killHard();
        payments.release();
        server.restart();
    }

    private static void killAfter(ServerProcess server, Payments payments, int applied) {
        Poll.until(
                applied + " payments",
                () -> payments.applied().size(),
                n -> n >= applied,
                DEADLINE,
                () -> server.explain("log"));
        server.killHard();
        server.restart();
    }
}
