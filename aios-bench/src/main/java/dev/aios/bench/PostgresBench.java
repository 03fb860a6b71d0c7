package dev.aios.bench;

import dev.aios.kernel.Kernel;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The kernel on PostgreSQL: five-step runs/s with 1, 8, 64 and 512 runs in flight, with one node and
 * with two (two kernels in this process on one database, each with its own writer and leases), beside
 * what PostgreSQL alone does on the same database: journal-shaped rows inserted through JDBC, one row
 * per commit, from 64 connections at once. The database is the one {@code --db} names, else an
 * embedded PostgreSQL (zonky's binaries) in the work directory. Counted in the database, after a
 * warm-up, like the SQLite benchmark.
 */
final class PostgresBench {
    private static final int BASELINE_CONNECTIONS = 64;

    /** One measurement: {@code nodes} kernels, {@code inFlight} runs kept in flight. */
    record Figure(
            int nodes,
            int inFlight,
            long runs,
            long steps,
            Duration elapsed,
            long processCpu,
            OptionalLong writerCpu,
            OptionalLong serverCpu,
            OptionalLong statements,
            long commits,
            long units) {
        /** CPU µs a step of {@code nanos} nanoseconds over the window, or "–" when unknown. */
        String perStep(OptionalLong nanos) {
            return nanos.isPresent() && steps > 0
                    ? String.format(Locale.ROOT, "%.0f", nanos.getAsLong() / 1e3 / steps)
                    : "–";
        }

        double runsPerSecond() {
            return runs / (elapsed.toNanos() / 1e9);
        }

        double stepsPerSecond() {
            return steps / (elapsed.toNanos() / 1e9);
        }

        /** The writers' commits a second, all nodes together. */
        double commitsPerSecond() {
            return commits / (elapsed.toNanos() / 1e9);
        }

        /** Units of work (a lease, a step's outcome, an event) a commit. */
        double unitsPerCommit() {
            return commits == 0 ? 0 : units / (double) commits;
        }
    }

    /** Rows per second that {@code connections} JDBC connections commit, one row per commit. */
    record Baseline(int connections, long inserts, Duration elapsed) {
        double insertsPerSecond() {
            return inserts / (elapsed.toNanos() / 1e9);
        }
    }

    private final BenchOptions options;
    private final Optional<String> database;
    private final List<Integer> nodes;
    private final PrintStream progress;
    /** Whether the embedded server counts its statements ({@code pg_stat_statements}). */
    private final boolean countStatements;
    /** Whether the kernel's rows are also written by raw JDBC ({@link PostgresFloor}). */
    private final boolean floor;

    private int databases;

    PostgresBench(
            BenchOptions options,
            Optional<String> database,
            List<Integer> nodes,
            boolean countStatements,
            boolean floor,
            PrintStream progress) {
        this.floor = floor;
        this.options = options;
        this.database = database;
        this.nodes = nodes;
        this.countStatements = countStatements && database.isEmpty();
        this.progress = progress;
        if (countStatements && database.isPresent()) {
            progress.println("--statements counts on the embedded server only; not counted at --db");
        }
    }

    /** The embedded server's data directory, whose {@code postmaster.pid} names its processes; null at --db. */
    private Path serverData;

    /** Measures and returns the Markdown report. */
    String run(String command) throws Exception {
        EmbeddedPostgres embedded = null;
        try {
            String server;
            if (database.isPresent()) {
                server = database.get();
            } else {
                Files.createDirectories(options.workDirectory());
                serverData = Files.createTempDirectory(options.workDirectory(), "aios-bench-pg-");
                var builder = EmbeddedPostgres.builder().setDataDirectory(serverData);
                if (countStatements) {
                    builder.setServerConfig("shared_preload_libraries", "pg_stat_statements");
                    // Plans counted too: a statement planned again at every execution would show here.
                    builder.setServerConfig("pg_stat_statements.track_planning", "on");
                }
                embedded = builder.setCleanDataDirectory(true)
                        // zonky's builder starts the server with fsync and synchronous_commit off, a
                        // server that loses commits in a crash: measured so, neither the baseline's
                        // commits nor the kernel's would wait for the disk, as they do on any
                        // PostgreSQL run for real. Both on, as a server's defaults are.
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .start();
                server = embedded.getJdbcUrl("postgres", "postgres");
            }
            var baselines = new ArrayList<Baseline>();
            var figures = new ArrayList<Figure>();
            var floors = new ArrayList<PostgresFloor.Result>();
            if (floor) {
                floors.addAll(new PostgresFloor(newDatabase(server, "floor"), this::serverCpu)
                        .measure(options.warmup(), options.measure().dividedBy(2), 2));
                for (var result : floors) {
                    say(
                            "the kernel's rows by raw JDBC, %s: %.0f steps/s (%.0f runs/s); CPU µs a step:"
                                    + " PostgreSQL %.0f, the writing thread %.0f",
                            result.shape().description,
                            result.stepsPerSecond(),
                            result.stepsPerSecond() / 5,
                            result.serverMicrosAStep(),
                            result.clientMicrosAStep());
                }
            }
            for (int n : nodes) {
                for (int level : options.levels()) {
                    var baseline = baseline(newDatabase(server, "baseline"), BASELINE_CONNECTIONS);
                    baselines.add(baseline);
                    say(
                            "PostgreSQL baseline, %d connections, one row per commit: %.0f inserts/s",
                            BASELINE_CONNECTIONS, baseline.insertsPerSecond());
                    var figure = kernels(newDatabase(server, "kernel"), n, level);
                    figures.add(figure);
                    say(
                            "%d node(s), %d in flight: %.0f runs/s, %.0f steps/s, %.0f commits/s of %.1f units;"
                                    + " CPU µs a step: aios %s, its writer %s, PostgreSQL %s%s",
                            n,
                            level,
                            figure.runsPerSecond(),
                            figure.stepsPerSecond(),
                            figure.commitsPerSecond(),
                            figure.unitsPerCommit(),
                            figure.perStep(OptionalLong.of(figure.processCpu())),
                            figure.perStep(figure.writerCpu()),
                            figure.perStep(figure.serverCpu()),
                            figure.statements().isPresent()
                                    ? String.format(
                                            Locale.ROOT,
                                            "; statements a step %.2f",
                                            figure.statements().getAsLong() / (double) figure.steps())
                                    : "");
                }
            }
            return report(command, embedded != null, figures, baselines, floors);
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    /** The commits and the units of work written so far by the writers of {@code kernels}, together. */
    private static long[] writes(List<Kernel> kernels) {
        long commits = 0;
        long units = 0;
        for (var kernel : kernels) {
            var overview = kernel.overview();
            commits += overview.commits();
            units += overview.writeUnits();
        }
        return new long[] {commits, units};
    }

    /** Keeps {@code inFlight} runs in flight over {@code count} kernels on the database at {@code url}. */
    private Figure kernels(String url, int count, int inFlight) throws Exception {
        Path dir = Files.createTempDirectory(options.workDirectory(), "aios-bench-");
        var workload = new FiveStepPlaybook();
        var kernels = new ArrayList<Kernel>();
        try {
            for (int i = 0; i < count; i++) {
                var data = Files.createDirectories(dir.resolve("node-" + i));
                if (i > 0) {
                    // Every node has the same master key.
                    Files.copy(dir.resolve("node-0").resolve("master.key"), data.resolve("master.key"));
                }
                var kernel = Kernel.builder()
                        .dataDirectory(data)
                        .database(url)
                        .agent(workload.agent())
                        .playbook(FiveStepPlaybook.playbook())
                        .concurrency(options.kernelConcurrency())
                        .build();
                kernels.add(kernel);
                kernel.start();
            }
            var failure = new AtomicReference<Throwable>();
            var drivers = Executors.newVirtualThreadPerTaskExecutor();
            long[] before;
            long[] after;
            CpuClock.Reading cpuBefore;
            CpuClock.Reading cpuAfter;
            Map<Long, Long> serverBefore;
            Map<Long, Long> serverAfter;
            long statementsBefore;
            long statementsAfter;
            long[] writesBefore;
            long[] writesAfter;
            try (var probe = DriverManager.getConnection(url)) {
                if (countStatements) {
                    try (var st = probe.createStatement()) {
                        st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                    }
                }
                for (int i = 0; i < inFlight; i++) {
                    var kernel = kernels.get(i % count);
                    drivers.execute(() -> drive(kernel, workload, failure));
                }
                if (!options.settleJit().isZero()) {
                    // As the SQLite benchmark does: a level measured while the JIT compiles measures it.
                    var jit = KernelLoad.awaitQuietJit(options.settleJit(), failure);
                    say(
                            "the JIT %s after %d s (compiler CPU in the last second: %.0f ms)",
                            jit.settled() ? "went quiet" : "was still compiling",
                            jit.took().toSeconds(),
                            jit.lastSecond());
                }
                pause(options.warmup(), failure);
                serverBefore = serverCpu();
                writesBefore = writes(kernels);
                cpuBefore = CpuClock.now();
                before = counts(probe);
                if (countStatements) {
                    // The breakdown printed after the window is then the window's alone.
                    try (var st = probe.createStatement()) {
                        st.execute("SELECT pg_stat_statements_reset()");
                    }
                }
                statementsBefore = statements(probe);
                pause(options.measure(), failure);
                statementsAfter = statements(probe);
                if (countStatements) {
                    breakdown(probe);
                }
                after = counts(probe);
                cpuAfter = CpuClock.now();
                writesAfter = writes(kernels);
                serverAfter = serverCpu();
            } finally {
                drivers.shutdownNow();
                drivers.awaitTermination(30, TimeUnit.SECONDS);
            }
            return new Figure(
                    count,
                    inFlight,
                    after[1] - before[1],
                    after[2] - before[2],
                    Duration.ofNanos(after[0] - before[0]),
                    cpuAfter.process() - cpuBefore.process(),
                    // With more than one node, one writer among them.
                    count == 1
                                    && cpuBefore.writer().isPresent()
                                    && cpuAfter.writer().isPresent()
                            ? OptionalLong.of(cpuAfter.writer().getAsLong()
                                    - cpuBefore.writer().getAsLong())
                            : OptionalLong.empty(),
                    serverBefore.isEmpty() || serverAfter.isEmpty()
                            ? OptionalLong.empty()
                            : OptionalLong.of(serverAfter.entrySet().stream()
                                    .mapToLong(e -> e.getValue() - serverBefore.getOrDefault(e.getKey(), 0L))
                                    .sum()),
                    countStatements ? OptionalLong.of(statementsAfter - statementsBefore) : OptionalLong.empty(),
                    writesAfter[0] - writesBefore[0],
                    writesAfter[1] - writesBefore[1]);
        } finally {
            kernels.forEach(Kernel::close);
            KernelLoad.deleteTree(dir);
        }
    }

    private static void drive(Kernel kernel, FiveStepPlaybook workload, AtomicReference<Throwable> failure) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                String runId = kernel.send(workload.trigger()).started().getFirst();
                workload.lastStepReached(runId).get(60, TimeUnit.SECONDS);
                workload.forget(runId);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                if (!Thread.currentThread().isInterrupted()) {
                    failure.compareAndSet(null, e);
                }
                return;
            }
        }
    }

    /**
     * The CPU nanoseconds so far of each process of the embedded server (the postmaster and its
     * children: the backends, the WAL writer, the checkpointer), by process id; empty at --db, or
     * where the system does not say. A backend that ended between two readings takes its time with
     * it, so a window's difference covers the processes alive at its end.
     */
    private Map<Long, Long> serverCpu() {
        if (serverData == null) {
            return Map.of();
        }
        try {
            long pid = Long.parseLong(Files.readAllLines(serverData.resolve("postmaster.pid"))
                    .getFirst()
                    .trim());
            var postmaster = ProcessHandle.of(pid);
            if (postmaster.isEmpty()) {
                return Map.of();
            }
            var cpu = new HashMap<Long, Long>();
            Stream.concat(postmaster.stream(), postmaster.get().descendants())
                    .forEach(p -> p.info().totalCpuDuration().ifPresent(d -> cpu.put(p.pid(), d.toNanos())));
            return cpu;
        } catch (java.io.IOException | RuntimeException e) {
            return Map.of();
        }
    }

    /** The statements the server ran in this database so far, with {@code --statements}; else 0. */
    private long statements(Connection c) throws SQLException {
        if (!countStatements) {
            return 0;
        }
        try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT COALESCE(SUM(calls), 0) FROM pg_stat_statements"
                        + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * Prints the statements the server ran most in this database, with their calls, execution time
     * and plans, since the window began; the kernel's statements are the same text every time, and
     * prepared once, so their plans stay near zero.
     */
    private void breakdown(Connection c) throws SQLException {
        try (var st = c.createStatement();
                var rs = st.executeQuery(
                        "SELECT calls, total_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g'), plans"
                                + " FROM pg_stat_statements"
                                + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                + " ORDER BY total_exec_time DESC LIMIT 25")) {
            progress.println(
                    "statements by execution time over the window (this database): calls, ms, rows, plans, text");
            while (rs.next()) {
                String text = rs.getString(4);
                say(
                        "%8d %9.1f %8d %6d  %s",
                        rs.getLong(1),
                        rs.getDouble(2),
                        rs.getLong(3),
                        rs.getLong(5),
                        text.length() > 150 ? text.substring(0, 150) : text);
            }
        }
    }

    /** {@link System#nanoTime()}, completed runs and completed steps, in one snapshot. */
    private static long[] counts(Connection c) throws SQLException {
        long at = System.nanoTime();
        try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT (SELECT COUNT(*) FROM runs WHERE status = 'completed'),"
                        + " (SELECT COUNT(*) FROM journal WHERE type = 'StepCompleted')")) {
            rs.next();
            return new long[] {at, rs.getLong(1), rs.getLong(2)};
        }
    }

    /** Journal-shaped rows, one per commit, from {@code connections} connections at once. */
    private Baseline baseline(String url, int connections) throws Exception {
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement()) {
            st.execute("CREATE TABLE journal (run_id text NOT NULL, seq bigint NOT NULL, type text NOT NULL,"
                    + " at bigint NOT NULL, subject text NOT NULL, codec text NOT NULL, payload bytea NOT NULL,"
                    + " checksum text NOT NULL, PRIMARY KEY (run_id, seq))");
        }
        var inserts = new AtomicLong();
        var failure = new AtomicReference<Throwable>();
        byte[] payload = new byte[400];
        java.util.Arrays.fill(payload, (byte) 'x');
        // Every connection is open before the clock starts: connecting is not what is measured.
        var ready = new java.util.concurrent.CountDownLatch(connections);
        var go = new java.util.concurrent.CountDownLatch(1);
        var window = new long[2];
        var threads = Executors.newVirtualThreadPerTaskExecutor();
        for (int t = 0; t < connections; t++) {
            int thread = t;
            threads.execute(() -> {
                try (var c = DriverManager.getConnection(url);
                        var insert = c.prepareStatement("INSERT INTO journal (run_id, seq, type, at, subject, codec,"
                                + " payload, checksum) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ready.countDown();
                    go.await();
                    long until = window[1];
                    long n = 0;
                    while (System.nanoTime() < until) {
                        n++;
                        insert.setString(1, "r-" + thread + "-" + (n / 11));
                        insert.setLong(2, n % 11);
                        insert.setString(3, "StepCompleted");
                        insert.setLong(4, System.currentTimeMillis());
                        insert.setString(5, "customer-" + (n % 100));
                        insert.setString(6, "json");
                        insert.setBytes(7, payload);
                        insert.setString(8, "0".repeat(64));
                        insert.executeUpdate();
                        inserts.incrementAndGet();
                    }
                } catch (SQLException e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        ready.await();
        window[0] = System.nanoTime();
        window[1] = window[0] + options.baseline().toNanos();
        go.countDown();
        threads.shutdown();
        threads.awaitTermination(options.baseline().toSeconds() + 60, TimeUnit.SECONDS);
        if (failure.get() != null) {
            throw new IllegalStateException("the baseline failed: " + failure.get(), failure.get());
        }
        return new Baseline(connections, inserts.get(), Duration.ofNanos(System.nanoTime() - window[0]));
    }

    private String newDatabase(String server, String purpose) throws SQLException {
        String name = "aios_bench_" + purpose + "_" + ProcessHandle.current().pid() + "_" + (++databases);
        try (var c = DriverManager.getConnection(server);
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        int slash = server.lastIndexOf('/');
        int query = server.indexOf('?', slash);
        return server.substring(0, slash + 1) + name + (query < 0 ? "" : server.substring(query));
    }

    private static void pause(Duration duration, AtomicReference<Throwable> failure) throws InterruptedException {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            if (failure.get() != null) {
                throw new IllegalStateException("a driver failed: " + failure.get(), failure.get());
            }
            TimeUnit.MILLISECONDS.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    private String report(
            String command,
            boolean embedded,
            List<Figure> figures,
            List<Baseline> baselines,
            List<PostgresFloor.Result> floors) {
        double pooled = baselines.stream().mapToLong(Baseline::inserts).sum()
                / (baselines.stream().mapToLong(b -> b.elapsed().toNanos()).sum() / 1e9);
        var out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "PostgreSQL %s, measured with `%s`: %s s warm-up and %s s window per row, kernel concurrency %d.%n%n",
                embedded ? "embedded (zonky's binaries, on the same disk)" : "at --db",
                command,
                options.warmup().toSeconds(),
                options.measure().toSeconds(),
                options.kernelConcurrency()));
        out.append("| nodes | runs in flight | runs/s | steps/s | steps/s ÷ baseline inserts/s | commits/s"
                + " | units a commit | CPU µs a step: aios process | aios writer | PostgreSQL server |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (var f : figures) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %d | %d | %s | %s | %.2f | %s | %.1f | %s | %s | %s |%n",
                    f.nodes(),
                    f.inFlight(),
                    Report.rate(f.runsPerSecond()),
                    Report.rate(f.stepsPerSecond()),
                    f.stepsPerSecond() / pooled,
                    Report.rate(f.commitsPerSecond()),
                    f.unitsPerCommit(),
                    f.perStep(OptionalLong.of(f.processCpu())),
                    f.perStep(f.writerCpu()),
                    f.perStep(f.serverCpu())));
        }
        out.append(String.format(
                Locale.ROOT,
                "%nBaseline: raw JDBC on the same PostgreSQL, journal-shaped rows (400-byte payload), one row per"
                        + " commit from %d connections at once, measured right before each row above: %s inserts/s"
                        + " pooled (from %s to %s).%n",
                BASELINE_CONNECTIONS,
                Report.rate(pooled),
                Report.rate(baselines.stream()
                        .mapToDouble(Baseline::insertsPerSecond)
                        .min()
                        .orElse(0)),
                Report.rate(baselines.stream()
                        .mapToDouble(Baseline::insertsPerSecond)
                        .max()
                        .orElse(0))));
        if (!floors.isEmpty()) {
            out.append("\nThe kernel's rows written by raw JDBC on one connection, 38 steps a durable commit,"
                    + " the same tables and indexes, nothing else to do (`--floor`), alternating:\n\n"
                    + "| shape | steps/s | five-step runs/s | CPU µs a step: PostgreSQL server | writing thread |\n"
                    + "|---|---:|---:|---:|---:|\n");
            for (var result : floors) {
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %s | %.0f | %.0f |%n",
                        result.shape().description,
                        Report.rate(result.stepsPerSecond()),
                        Report.rate(result.stepsPerSecond() / 5),
                        result.serverMicrosAStep(),
                        result.clientMicrosAStep()));
            }
        }
        return out.toString();
    }

    private void say(String format, Object... args) {
        progress.println(String.format(Locale.ROOT, format, args));
    }
}
