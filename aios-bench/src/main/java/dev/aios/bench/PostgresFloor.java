package dev.aios.bench;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.function.Supplier;

/**
 * The rows a node's writer writes for five-step runs, written by raw JDBC with nothing else to do:
 * what the SQL alone costs the server and how fast one connection can go, beside the kernel's
 * figures. Each step completes and leases the next (the run's row updated, the step's work row
 * deleted, the next one inserted with its lease, three journal rows); each run starts with its event
 * (inserted with its sequence number returned), a look for steps waiting on its type, its row, its
 * first work row and two journal rows, and ends with its row's status, its work cleared, a look for
 * due work and three journal rows: 17 journal rows a run, as the kernel writes. 38 steps a commit
 * (the kernel's batches at 64 in flight), durable commits, on one connection, the tables and
 * indexes the kernel's migrations make.
 *
 * <p>Shapes of the same rows: {@link Shape#ROWS}, a statement a row as the kernel's writer sent them
 * until it merged its batches (two steps' writes a message, the answers it waited for on their own,
 * the journal's rows in one insert with the commit); {@link Shape#ROWS_AT_COMMIT}, the same
 * statements with no answer waited for, all in one message with the commit (a text of its own each
 * batch, parsed and planned each time); {@link Shape#BETWEEN_ANSWERS}, one statement a table
 * between those answers; and {@link Shape#SETS}, one statement a table for the whole batch ({@code
 * unnest} of arrays, one message, no answer waited for before the commit), the shape the writer has
 * now.
 */
final class PostgresFloor {
    /** How the rows go to the server. */
    enum Shape {
        ROWS("row by row, as the kernel's writer sent them"),
        ROWS_AT_COMMIT("row by row, all in one message with the commit"),
        BETWEEN_ANSWERS("one statement a table between the answers the writer waits for"),
        SETS("one statement a table a batch");

        final String description;

        Shape(String description) {
            this.description = description;
        }
    }

    /** What one shape did over a window. */
    record Result(Shape shape, long steps, Duration elapsed, long serverCpuNanos, long clientCpuNanos) {
        double stepsPerSecond() {
            return steps / (elapsed.toNanos() / 1e9);
        }

        double serverMicrosAStep() {
            return serverCpuNanos / 1e3 / steps;
        }

        double clientMicrosAStep() {
            return clientCpuNanos / 1e3 / steps;
        }
    }

    private static final int STEPS_A_COMMIT = 38;
    private static final int IN_FLIGHT = 64;
    private static final String[] STEPS = {"one", "two", "three", "four", "five"};

    private final String url;
    private final Supplier<Map<Long, Long>> serverCpu;
    private final byte[] payload = new byte[300];
    private final Deque<long[]> runs = new ArrayDeque<>();
    private long started;
    private long checksums;

    /** @param serverCpu the server's processes' CPU nanoseconds so far, by process; empty when unknown */
    PostgresFloor(String url, Supplier<Map<Long, Long>> serverCpu) {
        this.url = url;
        this.serverCpu = serverCpu;
        Arrays.fill(payload, (byte) 'x');
    }

    /** Warms every shape up, then measures each for {@code window}, alternating, {@code rounds} times. */
    List<Result> measure(Duration warmup, Duration window, int rounds) throws SQLException {
        try (var c = DriverManager.getConnection(url)) {
            prepare(c);
            var threads = ManagementFactory.getThreadMXBean();
            for (var shape : Shape.values()) {
                write(c, shape, System.nanoTime() + warmup.toNanos() / Shape.values().length, Long.MAX_VALUE);
            }
            var results = new ArrayList<Result>();
            for (int round = 0; round < rounds; round++) {
                for (var shape : Shape.values()) {
                    var serverBefore = serverCpu.get();
                    long clientBefore = threads.getCurrentThreadCpuTime();
                    long at = System.nanoTime();
                    long steps = write(c, shape, at + window.toNanos(), Long.MAX_VALUE);
                    long elapsed = System.nanoTime() - at;
                    long client = threads.getCurrentThreadCpuTime() - clientBefore;
                    var serverAfter = serverCpu.get();
                    long server = serverAfter.entrySet().stream()
                            .mapToLong(e -> e.getValue() - serverBefore.getOrDefault(e.getKey(), 0L))
                            .sum();
                    results.add(new Result(shape, steps, Duration.ofNanos(elapsed), server, client));
                }
            }
            return results;
        }
    }

    /** Makes the tables on {@code c}, with runs to start, and turns its auto-commit off. */
    void prepare(Connection c) throws SQLException {
        schema(c);
        c.setAutoCommit(false);
        for (int i = 0; i < IN_FLIGHT; i++) {
            runs.add(new long[] {-1, -1, 0});
        }
    }

    private static void schema(Connection c) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("""
                    CREATE TABLE events (seq bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                      id text NOT NULL UNIQUE, type text NOT NULL, subject text NOT NULL, source text NOT NULL,
                      time bigint NOT NULL, correlation_id text NOT NULL, causation_id text NOT NULL,
                      codec text NOT NULL, data bytea NOT NULL, received_at bigint NOT NULL);
                    CREATE INDEX events_subject ON events (subject, seq);
                    CREATE INDEX events_type ON events (type, seq);
                    CREATE SEQUENCE journal_pos;
                    CREATE TABLE journal (run_id text NOT NULL, seq bigint NOT NULL, type text NOT NULL,
                      at bigint NOT NULL, subject text NOT NULL, codec text NOT NULL, payload bytea NOT NULL,
                      checksum text NOT NULL, pos bigint NOT NULL, PRIMARY KEY (run_id, seq));
                    CREATE INDEX journal_pos_idx ON journal (pos);
                    CREATE TABLE runs (id text PRIMARY KEY, playbook text NOT NULL, version text NOT NULL,
                      subject text NOT NULL, status text NOT NULL, current_step text, created_at bigint NOT NULL,
                      updated_at bigint NOT NULL, last_seq bigint NOT NULL, last_checksum text NOT NULL,
                      state text NOT NULL, trigger_id text);
                    CREATE INDEX runs_created ON runs (created_at);
                    CREATE INDEX runs_status ON runs (status, created_at);
                    CREATE INDEX runs_subject ON runs (subject, created_at);
                    CREATE INDEX runs_trigger ON runs (trigger_id);
                    CREATE TABLE work (run_id text NOT NULL, step_id text NOT NULL, iteration bigint NOT NULL,
                      kind text NOT NULL, visible_at bigint NOT NULL, attempt bigint NOT NULL, lease_owner text,
                      lease_until bigint, PRIMARY KEY (run_id, step_id, iteration));
                    CREATE INDEX work_due ON work (visible_at);
                    CREATE TABLE awaits (run_id text NOT NULL, step_id text NOT NULL, iteration bigint NOT NULL,
                      event_type text NOT NULL, subject text NOT NULL, timeout_at bigint NOT NULL,
                      checked_seq bigint NOT NULL DEFAULT 0, PRIMARY KEY (run_id, step_id, iteration));
                    CREATE INDEX awaits_type ON awaits (event_type);
                    """);
        }
    }

    /** One batch's rows, by table. */
    private static final class Batch {
        final Queue<Object[]> events = new ArrayDeque<>();
        final Queue<Object[]> newRuns = new ArrayDeque<>();
        final Queue<Object[]> runSteps = new ArrayDeque<>();
        final Queue<Object[]> runEnds = new ArrayDeque<>();
        final Queue<Object[]> workDone = new ArrayDeque<>();
        final Queue<Object[]> workNext = new ArrayDeque<>();
        final List<Object[]> journal = new ArrayList<>();
        /** Each step's kind, in order: 's' a step, 'b' a run's start, 'e' a run's end and the next one's start. */
        final StringBuilder order = new StringBuilder();
    }

    /**
     * Writes batches in {@code shape} on a {@link #prepare}d connection until {@code until} (nanoTime)
     * or {@code batches} of them; returns the steps written.
     */
    long write(Connection c, Shape shape, long until, long batches) throws SQLException {
        // A statement over an array's rows planned once for all would keep the plan made while the
        // tables were small (a scan of the whole table), whose cost grows with the table: planned
        // at each execution instead, where the planner knows the array's length. The row by row
        // statements keep their plans, as the kernel's do.
        try (var st = c.createStatement()) {
            st.execute("SET plan_cache_mode = "
                    + (shape == Shape.ROWS || shape == Shape.ROWS_AT_COMMIT ? "auto" : "force_custom_plan"));
        }
        c.commit();
        long steps = 0;
        for (long written = 0; written < batches && System.nanoTime() < until; written++) {
            var batch = next();
            switch (shape) {
                case ROWS -> rows(c, batch, false);
                case ROWS_AT_COMMIT -> rows(c, batch, true);
                case BETWEEN_ANSWERS -> betweenAnswers(c, batch);
                case SETS -> sets(c, batch);
            }
            c.commit();
            steps += STEPS_A_COMMIT;
        }
        return steps;
    }

    /** The next batch: each of its steps moves one run in flight on (a run: id number, step, last seq). */
    private Batch next() {
        var b = new Batch();
        long now = System.currentTimeMillis();
        for (int i = 0; i < STEPS_A_COMMIT; i++) {
            long[] run = runs.poll();
            if (run[0] >= 0 && run[1] < STEPS.length - 1) {
                String id = "run-" + run[0];
                int step = (int) run[1];
                b.runSteps.add(new Object[] {STEPS[step + 1], now, run[2] + 3, checksum(), id});
                b.workDone.add(new Object[] {id, STEPS[step], 0L});
                b.workNext.add(new Object[] {id, STEPS[step + 1], 0L, "step", now, 1L, "node/1", now + 30_000});
                journal(b, id, run[2] + 1, 3, now);
                b.order.append('s');
                runs.add(new long[] {run[0], step + 1, run[2] + 3});
                continue;
            }
            if (run[0] >= 0) {
                String id = "run-" + run[0];
                b.runEnds.add(new Object[] {"completed", now, run[2] + 3, checksum(), id});
                b.workDone.add(new Object[] {id, STEPS[STEPS.length - 1], 0L});
                journal(b, id, run[2] + 1, 3, now);
            }
            // A run's end is followed by the next run's start in the same place: 'e' says both.
            b.order.append(run[0] >= 0 ? 'e' : 'b');
            long n = ++started;
            String id = "run-" + n;
            String subject = "customer-" + (n % 100);
            b.events.add(new Object[] {
                "event-" + n, "lead.received", subject, "bench", now, "c-" + n, "c-" + n, "aes", payload, now
            });
            b.newRuns.add(new Object[] {
                id, "five-steps", "1", subject, "running", STEPS[0], now, now, 2L, checksum(), "{}", "event-" + n
            });
            b.workNext.add(new Object[] {id, STEPS[0], 0L, "step", now, 1L, "node/1", now + 30_000});
            journal(b, id, 1, 2, now);
            runs.add(new long[] {n, 0, 2});
        }
        return b;
    }

    private void journal(Batch b, String run, long firstSeq, int count, long now) {
        for (int i = 0; i < count; i++) {
            b.journal.add(
                    new Object[] {run, firstSeq + i, "StepCompleted", now, "customer", "aes", payload, checksum()});
        }
    }

    private String checksum() {
        return HexFormat.of().toHexDigits(++checksums).repeat(4);
    }

    // Row by row: two steps' writes a message; the answers a writer waits for on their own.
    private static void rows(Connection c, Batch b, boolean atCommit) throws SQLException {
        var message = new Message();
        int inMessage = 0;
        for (int i = 0; i < b.order.length(); i++) {
            char kind = b.order.charAt(i);
            if (kind == 'e') {
                message.add(
                        "UPDATE runs SET status = ?, updated_at = ?, last_seq = ?, last_checksum = ? WHERE id = ?",
                        b.runEnds.poll());
                message.add("DELETE FROM work WHERE run_id = ?", b.workDone.poll()[0]);
                // The look for due work a run's end makes, answered before the writer goes on.
                long now = System.currentTimeMillis();
                message.add(DUE_LOOK, now, now);
                if (!atCommit) {
                    message.send(c);
                }
            }
            if (kind == 'b' || kind == 'e') {
                message.add(INSERT_EVENT, b.events.poll());
                if (!atCommit) {
                    message.send(c);
                }
                message.add(AWAITS_LOOK, "lead.received");
                if (!atCommit) {
                    message.send(c);
                }
                message.add(
                        "INSERT INTO runs (id, playbook, version, subject, status, current_step, created_at,"
                                + " updated_at, last_seq, last_checksum, state, trigger_id)"
                                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        b.newRuns.poll());
            } else {
                message.add(
                        "UPDATE runs SET current_step = ?, updated_at = ?, last_seq = ?, last_checksum = ? WHERE id = ?",
                        b.runSteps.poll());
                message.add("DELETE FROM work WHERE run_id = ? AND step_id = ? AND iteration = ?", b.workDone.poll());
            }
            message.add(
                    "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt, lease_owner,"
                            + " lease_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    b.workNext.poll());
            if (++inMessage == 2) {
                if (!atCommit) {
                    message.send(c);
                }
                inMessage = 0;
            }
        }
        for (int from = 0; from < b.journal.size(); from += 200) {
            var insert = new StringBuilder(
                    "INSERT INTO journal (run_id, seq, type, at, subject, codec, payload, checksum, pos) VALUES ");
            var args = new ArrayList<Object>();
            for (int i = from; i < Math.min(b.journal.size(), from + 200); i++) {
                insert.append(i > from ? ", " : "").append("(?, ?, ?, ?, ?, ?, ?, ?, nextval('journal_pos'))");
                args.addAll(Arrays.asList(b.journal.get(i)));
            }
            message.add(insert.toString(), args.toArray());
        }
        message.send(c);
    }

    /** Rows waiting to go as one statement a table. */
    private static final class Pending {
        final List<Object[]> newRuns = new ArrayList<>();
        final List<Object[]> runSteps = new ArrayList<>();
        final List<Object[]> runEnds = new ArrayList<>();
        final List<Object[]> workDone = new ArrayList<>();
        final List<Object[]> runsCleared = new ArrayList<>();
        final List<Object[]> workNext = new ArrayList<>();

        /** Adds the waiting rows' statements to {@code message}, and forgets them. */
        void into(Connection c, Message message) throws SQLException {
            if (!newRuns.isEmpty()) {
                message.add(INSERT_RUNS, columns(c, newRuns, RUN_TYPES));
            }
            if (!runSteps.isEmpty()) {
                message.add(UPDATE_RUN_STEPS, columns(c, runSteps, "text", "int8", "int8", "text", "text"));
            }
            if (!runEnds.isEmpty()) {
                message.add(UPDATE_RUN_ENDS, columns(c, runEnds, "text", "int8", "int8", "text", "text"));
            }
            if (!runsCleared.isEmpty()) {
                message.add("DELETE FROM work WHERE run_id = ANY(?::text[])", columns(c, runsCleared, "text"));
            }
            if (!workDone.isEmpty()) {
                message.add(DELETE_WORK, columns(c, workDone, "text", "text", "int8"));
            }
            if (!workNext.isEmpty()) {
                message.add(INSERT_WORK, columns(c, workNext, WORK_TYPES));
            }
            for (var rows : List.of(newRuns, runSteps, runEnds, runsCleared, workDone, workNext)) {
                rows.clear();
            }
        }
    }

    // One statement a table between the answers the writer waits for: the events' inserts, the
    // looks for waiting steps and for due work, each sent with the rows written before it.
    private static void betweenAnswers(Connection c, Batch b) throws SQLException {
        var message = new Message();
        var pending = new Pending();
        for (int i = 0; i < b.order.length(); i++) {
            char kind = b.order.charAt(i);
            if (kind == 'e') {
                pending.runEnds.add(b.runEnds.poll());
                pending.runsCleared.add(new Object[] {b.workDone.poll()[0]});
                pending.into(c, message);
                long now = System.currentTimeMillis();
                message.add(DUE_LOOK, now, now);
                message.send(c);
            }
            if (kind == 'b' || kind == 'e') {
                pending.into(c, message);
                message.add(INSERT_EVENT, b.events.poll());
                message.send(c);
                message.add(AWAITS_LOOK, "lead.received");
                message.send(c);
                pending.newRuns.add(b.newRuns.poll());
            } else {
                pending.runSteps.add(b.runSteps.poll());
                pending.workDone.add(b.workDone.poll());
            }
            pending.workNext.add(b.workNext.poll());
        }
        pending.into(c, message);
        message.add(INSERT_JOURNAL, columns(c, b.journal, JOURNAL_TYPES));
        message.send(c);
    }

    private static final String[] RUN_TYPES = {
        "text", "text", "text", "text", "text", "text", "int8", "int8", "int8", "text", "text", "text"
    };
    private static final String[] WORK_TYPES = {"text", "text", "int8", "text", "int8", "int8", "text", "int8"};
    private static final String[] JOURNAL_TYPES = {"text", "int8", "text", "int8", "text", "text", "bytea", "text"};
    private static final String INSERT_RUNS = "INSERT INTO runs (id, playbook, version, subject, status, current_step,"
            + " created_at, updated_at, last_seq, last_checksum, state, trigger_id) SELECT * FROM unnest(?::text[],"
            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[],"
            + " ?::text[], ?::text[], ?::text[])";
    private static final String UPDATE_RUN_STEPS =
            "UPDATE runs SET current_step = u.s, updated_at = u.t, last_seq = u.q, last_checksum = u.c"
                    + " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) AS u(s, t, q, c, id)"
                    + " WHERE runs.id = u.id";
    private static final String UPDATE_RUN_ENDS =
            "UPDATE runs SET status = u.st, updated_at = u.t, last_seq = u.q, last_checksum = u.c"
                    + " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) AS u(st, t, q, c, id)"
                    + " WHERE runs.id = u.id";
    private static final String DELETE_WORK = "DELETE FROM work USING unnest(?::text[], ?::text[], ?::bigint[])"
            + " AS d(r, s, i) WHERE work.run_id = d.r AND work.step_id = d.s AND work.iteration = d.i";
    private static final String INSERT_WORK = "INSERT INTO work (run_id, step_id, iteration, kind, visible_at,"
            + " attempt, lease_owner, lease_until) SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[],"
            + " ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::bigint[])";
    private static final String INSERT_JOURNAL =
            "INSERT INTO journal (run_id, seq, type, at, subject, codec, payload, checksum, pos)"
                    + " SELECT r, s, t, a, su, co, p, ch, nextval('journal_pos') FROM unnest(?::text[], ?::bigint[],"
                    + " ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bytea[], ?::text[]) AS j(r, s, t, a, su, co, p, ch)";
    private static final String INSERT_EVENT = "INSERT INTO events (id, type, subject, source, time, correlation_id,"
            + " causation_id, codec, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (id) DO NOTHING RETURNING seq";
    private static final String AWAITS_LOOK =
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM awaits WHERE event_type = ?) THEN 1 ELSE 0 END";
    private static final String DUE_LOOK = "SELECT run_id, step_id FROM work WHERE visible_at <= ? AND (lease_until"
            + " IS NULL OR lease_until <= ?) ORDER BY visible_at LIMIT 1 FOR UPDATE SKIP LOCKED";

    // One statement a table for the whole batch, in one message.
    private static void sets(Connection c, Batch b) throws SQLException {
        var message = new Message();
        if (!b.events.isEmpty()) {
            message.add(
                    "INSERT INTO events (id, type, subject, source, time, correlation_id, causation_id, codec, data,"
                            + " received_at) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[],"
                            + " ?::bigint[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::bigint[])"
                            + " ON CONFLICT (id) DO NOTHING RETURNING seq",
                    columns(
                            c, b.events, "text", "text", "text", "text", "int8", "text", "text", "text", "bytea",
                            "int8"));
            message.add(AWAITS_LOOK, "lead.received");
        }
        var pending = new Pending();
        pending.newRuns.addAll(b.newRuns);
        pending.runSteps.addAll(b.runSteps);
        pending.runEnds.addAll(b.runEnds);
        pending.workDone.addAll(b.workDone);
        pending.workNext.addAll(b.workNext);
        pending.into(c, message);
        if (!b.runEnds.isEmpty()) {
            long now = System.currentTimeMillis();
            message.add(DUE_LOOK, now, now);
        }
        message.add(INSERT_JOURNAL, columns(c, b.journal, JOURNAL_TYPES));
        message.send(c);
    }

    /** The arrays of {@code rows}' columns, one JDBC array a column, of the given PostgreSQL types. */
    private static Object[] columns(Connection c, java.util.Collection<Object[]> rows, String... types)
            throws SQLException {
        var arrays = new Object[types.length];
        for (int col = 0; col < types.length; col++) {
            Object[] values =
                    switch (types[col]) {
                        case "int8" -> new Long[rows.size()];
                        case "bytea" -> new byte[rows.size()][];
                        default -> new String[rows.size()];
                    };
            int r = 0;
            for (var row : rows) {
                values[r++] = row[col];
            }
            arrays[col] = c.createArrayOf(types[col], values);
        }
        return arrays;
    }

    /** Statements sent together in one message, as the kernel's writer sends them. */
    private static final class Message {
        private final StringBuilder sql = new StringBuilder();
        private final List<Object> args = new ArrayList<>();

        void add(String statement, Object... values) {
            sql.append(sql.isEmpty() ? "" : "; ").append(statement);
            args.addAll(Arrays.asList(values));
        }

        void send(Connection c) throws SQLException {
            if (sql.isEmpty()) {
                return;
            }
            try (var ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setObject(i + 1, args.get(i));
                }
                ps.execute();
                while (ps.getMoreResults() || ps.getUpdateCount() != -1) {
                    // every statement's result read, as the writer reads them
                }
            }
            sql.setLength(0);
            args.clear();
        }
    }
}
