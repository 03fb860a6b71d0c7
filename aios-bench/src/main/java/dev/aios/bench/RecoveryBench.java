package dev.aios.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code aios up} on a data directory holding many runs that wait on timers which are all due: the
 * time to a healthy {@code /health}, the time until every run has moved on (woke, emitted its event
 * and completed), and the resident set (VmRSS) then and after some idle seconds.
 *
 * <p>The runs are made by a kernel in this process whose clock is a day behind, so that their
 * timers, set a minute before the real now, are a day ahead for it and due for {@code aios up}.
 *
 * <pre>{@code
 * mvn -B -q -pl aios-bench -am package -DskipTests
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.RecoveryBench \
 *   --aios ./aios [--runs 10000] [--idle 10] [--prepared DIR] [--log FILE]
 * }</pre>
 *
 * <p>With {@code --prepared DIR}, the runs are made once into {@code DIR} (when it holds none yet) and
 * every measurement starts on a fresh copy of it, so that builds compared start on the same data.
 * {@code --log FILE} keeps the output of {@code aios up}. Options for its JVM (a flight recording, say)
 * go in {@code AIOS_JAVA_OPTS}, which the launcher passes on.
 */
public final class RecoveryBench {
    static final String PLAYBOOK = """
            name: bench-wake
            description: Waits until the time its event names, then says it woke.
            trigger:
              event: bench.wake
            steps:
              - id: sleep
                wait:
                  until: event.data.at
              - id: woke
                emit:
                  type: bench.woke
                  data:
                    at: event.data.at
            """;

    /** What one recovery measured. */
    record Recovery(
            int runs,
            long prepareMillis,
            StartupBench.Start start,
            long movedOnMillis,
            long cpuMovedOnMillis,
            long rssMovedOnKb,
            int idleSeconds,
            long cpuIdleMillis,
            long rssIdleKb) {}

    private RecoveryBench() {}

    /** Prepares the data directory, starts aios on it and prints what it measured. */
    public static void main(String[] args) throws Exception {
        Path launcher = null;
        int runs = 10_000;
        int idle = 10;
        Path prepared = null;
        Path log = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--aios" -> launcher = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--prepared" -> prepared = Path.of(args[++i]);
                case "--log" -> log = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: RecoveryBench --aios PATH/bin/aios [--runs N] [--idle SECONDS]"
                            + " [--prepared DIR] [--log FILE]");
                    System.exit(2);
                }
            }
        }
        if (launcher == null) {
            System.err.println("name the aios launcher: --aios ./aios or --aios aios-server/target/dist/…/bin/aios");
            System.exit(2);
        }
        var data = Files.createTempDirectory("aios-recovery-");
        long prepare = 0;
        if (prepared != null && Files.isDirectory(prepared.resolve("data"))) {
            copy(prepared, data);
            System.err.printf(Locale.ROOT, "a fresh copy of %s%n", prepared);
        } else {
            var playbooks = Files.createDirectories(data.resolve("playbooks"));
            Files.writeString(playbooks.resolve("bench-wake.yaml"), PLAYBOOK);
            prepare = prepare(data.resolve("data"), playbooks, runs);
            System.err.printf(Locale.ROOT, "%,d runs waiting on due timers, made in %,d ms%n", runs, prepare);
            if (prepared != null) {
                copy(data, prepared);
            }
        }
        var recovery = recover(launcher, data, runs, idle, prepare, log);
        System.out.println(report(recovery));
    }

    /** Makes {@code runs} runs that wait on a timer a minute before now; returns the milliseconds it took. */
    static long prepare(Path data, Path playbooks, int runs) throws Exception {
        long started = System.nanoTime();
        var due = Instant.now().minus(Duration.ofMinutes(1));
        var clock = InstantSource.offset(InstantSource.system(), Duration.ofDays(-1));
        try (var kernel = Kernel.builder()
                .dataDirectory(data)
                .playbookDirectory(playbooks)
                .clock(clock)
                .build()) {
            kernel.start();
            for (int i = 0; i < runs; i++) {
                var payload = JsonNodeFactory.instance.objectNode().put("at", due.toString());
                kernel.send(new Event(
                        "wake-" + i, "bench.wake", "s-" + (i % 100), "bench", clock.instant(), payload, "c-" + i, ""));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (count(data, "waiting") < runs) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count(data, "waiting") + " of " + runs + " runs wait");
                }
                Thread.sleep(200);
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** Copies the directory tree {@code from} into {@code to}. */
    private static void copy(Path from, Path to) throws java.io.IOException {
        try (var paths = Files.walk(from)) {
            for (var path : (Iterable<Path>) paths::iterator) {
                var target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Recovery recover(Path launcher, Path base, int runs, int idle, long prepare, Path log)
            throws Exception {
        var data = base.resolve("data");
        var command = List.of(
                launcher.toString(),
                "up",
                "--data",
                data.toString(),
                "--playbooks",
                base.resolve("playbooks").toString(),
                "--no-examples",
                "--port",
                "0");
        try (var process = StartupBench.launch(command)) {
            var start = process.awaitHealthy();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            while (count(data, "completed") < runs) {
                if (System.nanoTime() > deadline || !process.alive()) {
                    throw new IllegalStateException(
                            "only " + count(data, "completed") + " of " + runs + " runs completed:\n" + process.log());
                }
                Thread.sleep(100);
            }
            long movedOn = process.elapsedMillis();
            long cpu = process.cpuMillis();
            long rss = process.rssKb();
            Thread.sleep(Duration.ofSeconds(idle));
            if (log != null) {
                Files.copy(process.logFile(), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return new Recovery(runs, prepare, start, movedOn, cpu, rss, idle, process.cpuMillis(), process.rssKb());
        }
    }

    /** How many runs in the data directory {@code data} have {@code status}, read beside the running kernel. */
    private static int count(Path data, String status) throws SQLException {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:file:" + data.resolve("aios.db") + "?mode=ro");
                var statement = connection.prepareStatement("SELECT COUNT(*) FROM runs WHERE status = ?")) {
            statement.setString(1, status);
            try (var result = statement.executeQuery()) {
                return result.next() ? result.getInt(1) : 0;
            }
        } catch (SQLException e) {
            if (e.getMessage().contains("no such table")) {
                return 0;
            }
            throw e;
        }
    }

    static String report(Recovery r) {
        return String.format(
                Locale.ROOT,
                """
                | `aios up` on %,d runs waiting on due timers | ms / MB |
                |---|---:|
                | start to healthy | %,d |
                | CPU to healthy | %,d |
                | start until every run moved on | %,d |
                | CPU until every run moved on | %,d |
                | RSS when healthy, MB | %,d |
                | RSS when every run moved on, MB | %,d |
                | CPU %d s later | %,d |
                | RSS %d s later, MB | %,d |
                """,
                r.runs(),
                r.start().millis(),
                r.start().cpuMillis(),
                r.movedOnMillis(),
                r.cpuMovedOnMillis(),
                r.start().rssHealthyKb() / 1024,
                r.rssMovedOnKb() / 1024,
                r.idleSeconds(),
                r.cpuIdleMillis(),
                r.idleSeconds(),
                r.rssIdleKb() / 1024);
    }
}
