package dev.aios.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.Event;
import dev.aios.api.Stateful;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * Messages to stateful agents against plain runs, in one process on one data directory: {@value
 * #MESSAGES} messages spread over {@value #SUBJECTS} subjects, each handled by its subject's instance
 * of a counting agent (one at a time per subject, state saved with each), against the same number of
 * events each starting a one-step run of a no-op agent about the same subjects. Both are sent from
 * one thread as fast as the kernel takes them; the figure is items per second from the first send to
 * the last item done.
 *
 * <p>Run it with {@code java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*'
 * dev.aios.bench.MailboxBench [--rounds N] [--dir DIR]} after {@code mvn -B -q -Dmaven.test.skip=true
 * package -pl aios-bench -am}.
 */
public final class MailboxBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int SUBJECTS = 1_000;
    static final int MESSAGES = 5_000;
    private static final int CONCURRENCY = 64;

    private MailboxBench() {}

    /** A message to the counter. */
    record Tick(int n) {}

    /** The counter's state. */
    record Count(int count, int last) {}

    /** What the counter is given. */
    record Input(Tick message, Optional<Count> state) {}

    /** Counts the messages of its subject. */
    static final class Counter implements Agent<Input, Count>, Stateful {
        @Override
        public Contract<Input, Count> contract() {
            return Contract.of("counter", "1.0.0", Input.class, Count.class);
        }

        @Override
        public Count run(Input input, AgentContext context) {
            return new Count(
                    input.state().map(Count::count).orElse(0) + 1,
                    input.message().n());
        }
    }

    /** What a no-op step passes on. */
    record Note(String text) {}

    /** Returns its input. */
    static final class Noop implements Agent<Note, Note> {
        @Override
        public Contract<Note, Note> contract() {
            return Contract.of("noop", "1.0.0", Note.class, Note.class);
        }

        @Override
        public Note run(Note input, AgentContext context) {
            return input;
        }
    }

    private static final String ONE_STEP = """
            name: one
            trigger: bench.one
            steps:
              - { id: s1, agent: noop, input: { text: "'a'" } }
            """;

    public static void main(String[] args) throws Exception {
        int rounds = 3;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: MailboxBench [--rounds N] [--dir DIR]");
                    System.exit(2);
                }
            }
        }
        var data = Files.createTempDirectory(dir, "aios-mailbox-bench");
        var playbooks = Files.createDirectories(data.resolve("playbooks"));
        Files.writeString(playbooks.resolve("one.yaml"), ONE_STEP);
        try (var kernel = Kernel.builder()
                .dataDirectory(data.resolve("data"))
                .agent(new Counter())
                .agent(new Noop())
                .playbookDirectory(playbooks)
                .concurrency(CONCURRENCY)
                .pollInterval(Duration.ofMillis(20))
                .build()) {
            kernel.start();
            if (!kernel.lastLoad().refused().isEmpty()) {
                throw new IllegalStateException(
                        "playbooks refused: " + kernel.lastLoad().refused());
            }
            // warm-up
            messages(kernel, 1_000);
            runs(kernel, 1_000);

            var sent = new double[rounds];
            var started = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                sent[r] = messages(kernel, MESSAGES);
                started[r] = runs(kernel, MESSAGES);
                System.err.printf(
                        Locale.ROOT,
                        "round %d: %.0f messages/s to stateful agents, %.0f one-step runs/s%n",
                        r + 1,
                        sent[r],
                        started[r]);
            }
            double m = median(sent);
            double o = median(started);
            System.out.printf(Locale.ROOT, """
                    | measurement (median of %d rounds) | figure | ratio |
                    |---|---:|---:|
                    | %d messages to a stateful agent's instances for %d subjects, handled one at a time per subject | %.0f messages/s | this ÷ runs: %.2f |
                    | the same number of events, each starting a one-step run about one of the %d subjects | %.0f runs/s | |
                    """, rounds, MESSAGES, SUBJECTS, m, m / o, SUBJECTS, o);
        }
    }

    /** Sends {@code count} messages round the subjects: messages per second until all were handled. */
    private static double messages(Kernel kernel, int count) throws Exception {
        long before = handled(kernel);
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            var data = JSON.createObjectNode().put("to", "agent/counter").put("n", i);
            kernel.send(new Event(
                    UUID.randomUUID().toString(),
                    "bench.tick",
                    "client-" + (i % SUBJECTS),
                    "bench",
                    Instant.now(),
                    data,
                    "",
                    ""));
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (handled(kernel) < before + count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("messages not handled in 10 minutes");
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    private static long handled(Kernel kernel) {
        return kernel.agentInstances(Optional.of("counter")).stream()
                .mapToLong(i -> i.handled())
                .sum();
    }

    /** Sends {@code count} events each starting a one-step run: runs per second until the last ended. */
    private static double runs(Kernel kernel, int count) throws Exception {
        long started = System.nanoTime();
        var runs = new ArrayList<String>(count);
        for (int i = 0; i < count; i++) {
            var accepted = kernel.send(new Event(
                    UUID.randomUUID().toString(),
                    "bench.one",
                    "client-" + (i % SUBJECTS),
                    "bench",
                    Instant.now(),
                    JSON.createObjectNode(),
                    "",
                    ""));
            runs.add(accepted.started().getFirst());
        }
        for (var run : runs) {
            awaitCompleted(kernel, run);
        }
        return count / ((System.nanoTime() - started) / 1e9);
    }

    private static void awaitCompleted(Kernel kernel, String run) {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (true) {
            var status = kernel.run(run).status();
            if (status == RunStatus.COMPLETED) {
                return;
            }
            if (status.isFinal() || status == RunStatus.NEEDS_ATTENTION || System.nanoTime() > deadline) {
                throw new IllegalStateException("run " + run + " ended " + status);
            }
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        }
    }

    private static double median(double[] values) {
        var sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
