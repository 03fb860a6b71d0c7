package dev.aios.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code aios up} on a data directory holding many runs that wait on timers which are all due: the
 * time to a healthy {@code /health}, the time until every run has moved on (woke, emitted its event
 * and completed), and the resident set (VmRSS) then and after some idle seconds.
 *
 * <p>The runs are made as a killed {@code aios up} leaves them: an {@code aios up} of the launcher
 * under test starts them through its API, with all its extensions following them, is killed
 * (SIGKILL) once they all wait and memory has copied them, and their timers come due while it is
 * down. "Healthy" is the first {@code 200} from {@code GET /health}, asked from the moment the
 * process is started, as an operator's probe would.
 *
 * <pre>{@code
 * mvn -B -q -pl aios-bench -am package -DskipTests
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.RecoveryBench \
 *   --aios ./aios [--runs 10000] [--idle 10] [--prepared DIR] [--log FILE] [--warm] [--keep]
 * }</pre>
 *
 * <p>With {@code --prepared DIR}, the runs are made once into {@code DIR} (when it holds none yet) and
 * every measurement starts on a fresh copy of it, so that builds compared start on the same data.
 * {@code --log FILE} keeps the output of {@code aios up}. Options for its JVM (a flight recording, say)
 * go in {@code AIOS_JAVA_OPTS}, which the launcher passes on. The copy a measurement ran on is
 * deleted after it, unless {@code --keep} (or the measurement failed: its path is printed). {@code
 * --warm} then measures the same work in the same process once its code is compiled (see {@link
 * Warm}): what a restart would take without the JIT's warm-up.
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

    /** Runs started after the warm ones, as many as the writer keeps the states of. */
    static final int PUSHED_OUT = 10_000;

    /** What one recovery measured. */
    record Recovery(
            int runs,
            long prepareMillis,
            StartupBench.Start start,
            int movedOnWhenHealthy,
            long bannerMillis,
            long movedOnMillis,
            long cpuMovedOnMillis,
            long rssMovedOnKb,
            long memoryCopiedMillis,
            long cpuMemoryCopiedMillis,
            int idleSeconds,
            long cpuIdleMillis,
            long rssIdleKb,
            List<Second> seconds,
            java.util.Optional<Warm> warm) {}

    /**
     * With {@code --warm}: as many runs again, started through the API of the same process once the
     * recovery is over and all due at one instant, their states read back from the database as after
     * a restart, so that the same work is measured with the JIT's compilation behind it: from their
     * due time until every one moved on, and the CPU in between.
     */
    record Warm(long movedOnMillis, long cpuMillis, List<Second> seconds) {}

    /**
     * Runs moved on by {@code millis} after the start, and the process's CPU until then: one point a
     * second, the first one read in that second.
     */
    record Second(long millis, int movedOn, long cpuMillis) {}

    private RecoveryBench() {}

    /** Prepares the data directory, starts aios on it and prints what it measured. */
    public static void main(String[] args) throws Exception {
        Path launcher = null;
        int runs = 10_000;
        int idle = 10;
        Path prepared = null;
        Path log = null;
        boolean warm = false;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--aios" -> launcher = Path.of(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle" -> idle = Integer.parseInt(args[++i]);
                case "--prepared" -> prepared = Path.of(args[++i]);
                case "--log" -> log = Path.of(args[++i]);
                case "--warm" -> warm = true;
                case "--keep" -> keep = true;
                default -> {
                    System.err.println("usage: RecoveryBench --aios PATH/bin/aios [--runs N] [--idle SECONDS]"
                            + " [--prepared DIR] [--log FILE] [--warm] [--keep]");
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
            prepare = prepare(launcher, data, runs);
            System.err.printf(Locale.ROOT, "%,d runs waiting on due timers, made in %,d ms%n", runs, prepare);
            if (prepared != null) {
                copy(data, prepared);
            }
        }
        Recovery recovery;
        try {
            recovery = recover(launcher, data, runs, idle, prepare, log, warm);
        } catch (Exception | Error e) {
            System.err.printf(Locale.ROOT, "the data directory is left in %s%n", data);
            throw e;
        }
        System.out.println(report(recovery));
        if (keep) {
            System.err.printf(Locale.ROOT, "the data directory is kept in %s%n", data);
        } else {
            KernelLoad.deleteTree(data);
        }
    }

    /**
     * Makes {@code runs} runs that wait on a timer, the way a killed {@code aios up} leaves them: the
     * runs are started through the API of {@code aios up} itself (its extensions, memory and policy,
     * follow them as they would), their timers due some time after all of them wait; once memory has
     * copied what they did, the process is killed (SIGKILL) and this waits until the timers are due.
     * Returns the milliseconds it took.
     */
    static long prepare(Path launcher, Path base, int runs) throws Exception {
        long started = System.nanoTime();
        var data = base.resolve("data");
        int port = freePort();
        // Enough time to start them all on a loaded machine, so that none is due before the kill.
        var due = Instant.now().plus(Duration.ofSeconds(Math.max(60, runs / 40)));
        try (var process = StartupBench.launch(up(launcher, base, port))) {
            process.awaitHealthy(port);
            var token = Files.readString(data.resolve("admin.token")).strip();
            send(port, token, 0, runs, due);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (count(data, "waiting") < runs) {
                if (Instant.now().isAfter(due) || System.nanoTime() > deadline || !process.alive()) {
                    throw new IllegalStateException("only " + count(data, "waiting") + " of " + runs
                            + " runs wait before their timers are due; fewer --runs, or a quieter machine:\n"
                            + process.log());
                }
                Thread.sleep(200);
            }
            // What a long-running aios would have done before it was killed: memory has copied the runs.
            while (!memoryCaughtUp(data) && Instant.now().isBefore(due.minusSeconds(5))) {
                Thread.sleep(200);
            }
            process.process().destroyForcibly().waitFor();
        }
        var left = Duration.between(Instant.now(), due.plusSeconds(1));
        if (!left.isNegative()) {
            Thread.sleep(left);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /**
     * Sends the events of runs {@code from} to {@code from + runs - 1}, due at {@code due}, through
     * {@code POST /api/events}, a few at a time.
     */
    private static void send(int port, String token, int from, int runs, Instant due) throws Exception {
        var http = HttpClient.newHttpClient();
        var inFlight = new Semaphore(8);
        var failed = new java.util.concurrent.atomic.AtomicReference<String>();
        var uri = URI.create("http://localhost:" + port + "/api/events");
        for (int i = from; i < from + runs && failed.get() == null; i++) {
            var body = String.format(
                    Locale.ROOT,
                    "{\"id\":\"wake-%d\",\"type\":\"bench.wake\",\"subject\":\"s-%d\",\"source\":\"bench\","
                            + "\"correlationId\":\"c-%d\",\"data\":{\"at\":\"%s\"}}",
                    i,
                    i % 100,
                    i,
                    due);
            var request = HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            inFlight.acquire();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((answer, error) -> {
                if (error != null) {
                    failed.compareAndSet(null, error.toString());
                } else if (answer.statusCode() / 100 != 2) {
                    failed.compareAndSet(null, answer.statusCode() + " " + answer.body());
                }
                inFlight.release();
            });
        }
        inFlight.acquire(8);
        if (failed.get() != null) {
            throw new IllegalStateException("aios refused an event: " + failed.get());
        }
    }

    /** Whether memory has copied every journal entry into its items, read beside the running kernel. */
    private static boolean memoryCaughtUp(Path data) throws SQLException {
        try (var connection = DriverManager.getConnection("jdbc:sqlite:file:" + data.resolve("aios.db") + "?mode=ro");
                var statement = connection.prepareStatement("SELECT (SELECT COALESCE(MAX(pos), 0) FROM journal)"
                        + " <= (SELECT COALESCE(MAX(position), 0) FROM memory_feed WHERE source = 'journal')");
                var result = statement.executeQuery()) {
            return result.next() && result.getBoolean(1);
        }
    }

    /** A port nothing listens on now, so that {@code /health} can be asked from the first moment. */
    private static int freePort() throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String> up(Path launcher, Path base, int port) {
        return List.of(
                launcher.toString(),
                "up",
                "--data",
                base.resolve("data").toString(),
                "--playbooks",
                base.resolve("playbooks").toString(),
                "--no-examples",
                "--port",
                Integer.toString(port));
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

    private static Recovery recover(Path launcher, Path base, int runs, int idle, long prepare, Path log, boolean warm)
            throws Exception {
        var data = base.resolve("data");
        int port = freePort();
        try (var process = StartupBench.launch(up(launcher, base, port))) {
            var start = process.awaitHealthy(port);
            if (process.log().contains("making the start-up cache")) {
                // The checkout's ./aios makes its cache on the first start after a build, ~15 s of it.
                throw new IllegalStateException("the launcher made its start-up cache during this start (the first"
                        + " after a build), which is no restart to measure: run the bench again");
            }
            // The banner is watched on its own: a count of the runs (a query of the database beside
            // the recovery) takes long enough to make it look late.
            var banner = new java.util.concurrent.atomic.AtomicLong(-1);
            var bannerWatch = Thread.ofPlatform().daemon().name("banner-watch").start(() -> {
                try {
                    while (process.alive()) {
                        if (process.log().contains(" is up at ")) {
                            banner.set(process.elapsedMillis());
                            return;
                        }
                        Thread.sleep(10);
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // no banner figure
                }
            });
            int movedOnWhenHealthy = count(data, "completed");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
            var seconds = course(process, data, 0, runs, 0, 0, deadline);
            bannerWatch.join(Duration.ofSeconds(1));
            long movedOn = process.elapsedMillis();
            long cpu = process.cpuMillis();
            long rss = process.rssKb();
            // Memory's copy of what the runs did may follow them later: until it holds all of it.
            while (!memoryCaughtUp(data)) {
                if (System.nanoTime() > deadline || !process.alive()) {
                    throw new IllegalStateException("memory did not copy the journal:\n" + process.log());
                }
                Thread.sleep(100);
            }
            long copied = process.elapsedMillis();
            long cpuCopied = process.cpuMillis();
            Thread.sleep(Duration.ofSeconds(idle));
            long cpuIdle = process.cpuMillis();
            long rssIdle = process.rssKb();
            var again =
                    warm ? java.util.Optional.of(again(process, port, data, runs)) : java.util.Optional.<Warm>empty();
            if (log != null) {
                Files.copy(process.logFile(), log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return new Recovery(
                    runs,
                    prepare,
                    start,
                    movedOnWhenHealthy,
                    banner.get(),
                    movedOn,
                    cpu,
                    rss,
                    copied,
                    cpuCopied,
                    idle,
                    cpuIdle,
                    rssIdle,
                    seconds,
                    again);
        }
    }

    /**
     * Starts {@code runs} more runs through the running process's API, due together a while later,
     * then {@link #PUSHED_OUT} runs due a day later, which push the first ones' states out of the
     * writer's memory of recent runs (as a restart finds them: stored, not held); measures the first
     * ones from their due time until every one of them moved on.
     */
    private static Warm again(StartupBench.Launched process, int port, Path data, int runs) throws Exception {
        var file = data.resolve("admin.token");
        if (!Files.exists(file)) {
            throw new IllegalStateException(file + " is gone (a directory prepared by an older bench): prepare afresh");
        }
        var token = Files.readString(file).strip();
        var due = Instant.now().plus(Duration.ofSeconds(Math.max(40, (runs + PUSHED_OUT) / 200)));
        send(port, token, runs, runs, due);
        send(port, token, 2 * runs, PUSHED_OUT, due.plus(Duration.ofDays(1)));
        while (count(data, "waiting") < runs + PUSHED_OUT) {
            if (Instant.now().isAfter(due) || !process.alive()) {
                throw new IllegalStateException("only " + count(data, "waiting") + " of the second " + runs
                        + " runs and the " + PUSHED_OUT + " after them wait before their timers are due; fewer"
                        + " --runs, or a quieter machine");
            }
            Thread.sleep(200);
        }
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), due).toMillis()));
        long from = process.elapsedMillis();
        long cpuFrom = process.cpuMillis();
        var seconds =
                course(process, data, runs, runs, from, cpuFrom, System.nanoTime() + TimeUnit.MINUTES.toNanos(10));
        return new Warm(process.elapsedMillis() - from, process.cpuMillis() - cpuFrom, seconds);
    }

    /**
     * Waits until {@code runs} runs more than {@code before} have completed, by {@code deadline}
     * ({@link System#nanoTime}); returns their course, one point a second (the first read in that
     * second), the time and the process's CPU counted from {@code fromMillis} and {@code fromCpu}.
     */
    private static List<Second> course(
            StartupBench.Launched process,
            Path data,
            int before,
            int runs,
            long fromMillis,
            long fromCpu,
            long deadline)
            throws Exception {
        var seconds = new java.util.ArrayList<Second>();
        for (int done = count(data, "completed") - before; done < runs; done = count(data, "completed") - before) {
            if (System.nanoTime() > deadline || !process.alive()) {
                throw new IllegalStateException("only " + done + " of " + runs + " runs completed:\n" + process.log());
            }
            long at = process.elapsedMillis() - fromMillis;
            if (seconds.isEmpty() || seconds.getLast().millis() / 1000 < at / 1000) {
                seconds.add(new Second(at, done, process.cpuMillis() - fromCpu));
            }
            Thread.sleep(100);
        }
        return seconds;
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
        return table(r)
                + timeline("the start", r.seconds(), new Second(r.movedOnMillis(), r.runs(), r.cpuMovedOnMillis()))
                + r.warm()
                        .map(w -> String.format(
                                        Locale.ROOT,
                                        "%n| %,d more runs due at once in the same process, warm | ms |%n|---|---:|%n"
                                                + "| due until every one moved on | %,d |%n"
                                                + "| CPU in that time | %,d |%n",
                                        r.runs(),
                                        w.movedOnMillis(),
                                        w.cpuMillis())
                                + timeline(
                                        "they came due",
                                        w.seconds(),
                                        new Second(w.movedOnMillis(), r.runs(), w.cpuMillis())))
                        .orElse("");
    }

    /**
     * The runs moved on second by second after the start, with the process's CPU in each second: how
     * fast the recovery goes as the JIT compiles its path. Rates are over the time between two
     * points, which is less than a second for the first (read when healthy) and the last (when every
     * run had moved on).
     */
    static String timeline(String after, List<Second> seconds, Second last) {
        var out = new StringBuilder(
                        "\n| seconds after " + after + " | runs moved on in them | a second | CPU ms a second |\n")
                .append("|---|---:|---:|---:|\n");
        var points = new java.util.ArrayList<>(seconds);
        points.add(last);
        for (int i = 1; i < points.size(); i++) {
            var from = points.get(i - 1);
            var to = points.get(i);
            double span = Math.max(1, to.millis() - from.millis()) / 1000.0;
            out.append(String.format(
                    Locale.ROOT,
                    "| %.1f–%.1f | %,d | %,.0f | %,.0f |%n",
                    from.millis() / 1000.0,
                    to.millis() / 1000.0,
                    to.movedOn() - from.movedOn(),
                    (to.movedOn() - from.movedOn()) / span,
                    (to.cpuMillis() - from.cpuMillis()) / span));
        }
        return out.toString();
    }

    private static String table(Recovery r) {
        return String.format(
                Locale.ROOT,
                """
                | `aios up` on %,d runs waiting on due timers | ms / MB |
                |---|---:|
                | start to healthy | %,d |
                | CPU to healthy | %,d |
                | runs moved on when healthy | %,d |
                | start to the banner (-1: after every run moved on) | %,d |
                | start until every run moved on | %,d |
                | CPU until every run moved on | %,d |
                | RSS when healthy, MB | %,d |
                | RSS when every run moved on, MB | %,d |
                | start until memory copied every run's journal | %,d |
                | CPU until memory copied it | %,d |
                | CPU %d s later | %,d |
                | RSS %d s later, MB | %,d |
                """,
                r.runs(),
                r.start().millis(),
                r.start().cpuMillis(),
                r.movedOnWhenHealthy(),
                r.bannerMillis(),
                r.movedOnMillis(),
                r.cpuMovedOnMillis(),
                r.start().rssHealthyKb() / 1024,
                r.rssMovedOnKb() / 1024,
                r.memoryCopiedMillis(),
                r.cpuMemoryCopiedMillis(),
                r.idleSeconds(),
                r.cpuIdleMillis(),
                r.idleSeconds(),
                r.rssIdleKb() / 1024);
    }
}
