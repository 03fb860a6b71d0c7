package dev.aios.kernel.internal.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.jdbc.DueAhead;
import dev.aios.kernel.internal.store.jdbc.JdbcHandle;
import dev.aios.kernel.internal.store.jdbc.Migrations;
import dev.aios.kernel.internal.store.jdbc.Writer;
import dev.aios.kernel.internal.store.jdbc.WriterBackedStore;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The shared store: the kernel's tables in a PostgreSQL database (its own Flyway migrations, in
 * {@code db/postgresql}), which several aios nodes may use at once. Each node has one writer with
 * group commit and a pool of read connections; the writers of all nodes take turns, each batch
 * under a transaction-scoped advisory lock, so that sequence order is commit order. Each batch says
 * in {@code writer_changes} which runs it changed, so that the other nodes forget only what they
 * kept in memory of those runs. Due work is selected with {@code FOR UPDATE SKIP LOCKED}. Each
 * commit is announced with {@code NOTIFY}, so the other nodes look for due work at once (polling
 * stays the fallback).
 *
 * <p>Credentials come from the URL or from {@code AIOS_DB_USER} and {@code AIOS_DB_PASSWORD}.
 */
public final class PostgresStore extends WriterBackedStore {
    /** The variable holding the database user, when the URL names none. */
    public static final String USER = "AIOS_DB_USER";

    /** The variable holding the database password, when the URL names none. */
    public static final String PASSWORD = "AIOS_DB_PASSWORD";

    private static final String MIGRATIONS = "classpath:db/postgresql";

    private final String url;
    private final String schema;
    private final boolean scratch;
    private final Writer writer;
    private final HikariDataSource reads;
    private final HikariDataSource writes;
    private final PostgresStorage extensions;
    private final Notifications notifications;
    private java.util.List<String> migrated = java.util.List.of();

    /** This store's name among the writers of the database, in {@code writer_turns}. */
    private final String node = UUID.randomUUID().toString();

    /**
     * The turn (in {@code writer_turns}, counted over every node's writer) of this writer's last
     * committed transaction, 0 before the first; touched on the writer's thread only.
     */
    private long lastTurn;

    /** How long after another node's writer's last turn this one says which runs it changes. */
    private static final long OTHERS_LATELY = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);

    /** When this writer last saw another's turn ({@link System#nanoTime}), 0 never; writer's thread only. */
    private long othersWroteAt;

    /** The writer's transaction in progress, null between them; touched on the writer's thread only. */
    private PostgresTx open;

    /** The count of forgets in {@code writer_turns} this node last learnt of. */
    private volatile long forgetsCounted;

    /**
     * What {@link #forgets} says: grows whenever this node learns of forgets it had not counted, or
     * may miss some (its listening connection broke).
     */
    private volatile long forgetsHeard;

    /**
     * The states of runs this node's writer worked on lately, so that a step does not read its run's
     * state back from the database on every write. A run is forgotten when another node's writer
     * changed it ({@link #follow}), everything when this writer cannot tell what the others changed.
     * Touched only on the writer's thread; a unit that rolls back drops what it may have changed.
     */
    private final java.util.Map<String, dev.aios.kernel.internal.run.RunState> live =
            new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(
                        java.util.Map.Entry<String, dev.aios.kernel.internal.run.RunState> eldest) {
                    return size() > 10_000;
                }
            };

    /**
     * The leases this node's writer granted, by item, with their owner; kept and emptied with {@link
     * #live}. Touched only on the writer's thread.
     */
    private final dev.aios.kernel.internal.store.jdbc.KeptLeases leases =
            new dev.aios.kernel.internal.store.jdbc.KeptLeases();

    /**
     * The work rows of runs this node's writer read or wrote whole lately, by run, so that a run's
     * next due step needs no round trip; kept and emptied with {@link #live}, a run forgotten
     * whenever its rows may have changed unseen. Touched only on the writer's thread.
     */
    private final java.util.Map<
                    String,
                    java.util.Map<dev.aios.kernel.internal.store.WorkKey, dev.aios.kernel.internal.store.jdbc.WorkRow>>
            work = new java.util.LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(
                        java.util.Map.Entry<
                                        String,
                                        java.util.Map<
                                                dev.aios.kernel.internal.store.WorkKey,
                                                dev.aios.kernel.internal.store.jdbc.WorkRow>>
                                eldest) {
                    return size() > 10_000;
                }
            };

    private PostgresStore(String url, String schema, boolean scratch) {
        this.url = url;
        this.schema = schema;
        this.scratch = scratch;
        HikariDataSource writes = null;
        HikariDataSource reads = null;
        Writer writer = null;
        try {
            // The writer's connection, the listener's, and two for migrations (Flyway holds its lock
            // on PostgreSQL on a connection of its own): an extension's tables are migrated while the
            // listener already runs for another extension.
            writes = pool(url, schema, "aios-writer", 4, false);
            var notifications =
                    new Notifications(writes, "store-" + UUID.randomUUID(), this::heardForgets, this::mayMissForgets);
            this.migrated = migrate(writes, MIGRATIONS, "flyway_schema_history", schema, scratch);
            writer = new Writer(
                    writerConnection(writes),
                    Handle.Dialect.POSTGRESQL,
                    location(),
                    512,
                    handle -> {
                        // One writer at a time across nodes, for this transaction; sent with the
                        // first unit's first statement, before anything is written.
                        handle.executeLater("SELECT pg_advisory_xact_lock(hashtext(current_schema()))");
                        // Heard by the other nodes when this transaction commits.
                        handle.executeLater(notifications.notifyStatement());
                        var tx = new PostgresTx(handle, true, this);
                        // This writer's turn (a trigger counts it) comes back with the runs the other
                        // writers changed since this one's last, which tells what kept in memory still
                        // holds, and so does the count of forgets, which the keys kept in memory follow.
                        // The same text every time (the values are bound), so that the driver
                        // prepares this first message on the server rather than parsing it anew.
                        // A writer that saw no other lately does not look: another's turn then makes
                        // it forget everything once, and look from its next turn on.
                        long since = lastTurn;
                        if (othersWriteLately()) {
                            handle.queryLater(
                                    TURN,
                                    row -> turnTaken(tx, since, row, row.integer("entries"), row.text("runs")),
                                    node,
                                    since,
                                    since);
                        } else {
                            handle.queryLater(TURN_ALONE, row -> turnTaken(tx, since, row, -1, ""), node);
                        }
                        // The items due longest, locked, so that a unit taking one on its way needs no
                        // round trip of its own (known once the turn's answer came: see turnTaken).
                        long now = System.currentTimeMillis();
                        var ahead = new DueAhead(DUE_AHEAD_ROWS, now);
                        tx.dueAheadLater(ahead);
                        handle.queryLater(DueAhead.LOOK, ahead::found, now, now, DUE_AHEAD_ROWS);
                        open = tx;
                        // Registered first, so a unit rolled back alone does not undo them.
                        tx.onCommit(() -> {
                            open = null;
                            lastTurn = tx.turn();
                        });
                        tx.onRollback(() -> open = null);
                        return tx;
                    },
                    PostgresStore::vacuum,
                    // A commit returns once it is durable (synchronous_commit is on, see below).
                    java.util.Optional.empty());
            reads = pool(url, schema, "aios-reads", 6, true);
            this.writes = writes;
            this.reads = reads;
            this.writer = writer;
            this.extensions = new PostgresStorage(this);
            this.notifications = notifications;
            notifications.start();
        } catch (SQLException | RuntimeException e) {
            if (writer != null) {
                writer.close();
            }
            if (reads != null) {
                reads.close();
            }
            if (writes != null) {
                writes.close();
            }
            if (e instanceof RuntimeException r && !(e instanceof FlywayException)) {
                throw r;
            }
            throw new StorageException(
                    "cannot open the database at " + withoutCredentials(url) + ": " + e.getMessage()
                            + "; check that PostgreSQL runs there and that " + USER + " and " + PASSWORD
                            + " (or the URL) give a user who may create tables",
                    e);
        }
    }

    /** Opens (creating or migrating its tables as needed) the store at {@code url}, a {@code jdbc:postgresql:} URL. */
    public static PostgresStore open(String url) {
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(
                    "a PostgreSQL store needs a jdbc:postgresql: URL, was " + withoutCredentials(url));
        }
        return new PostgresStore(url, null, false);
    }

    /**
     * The writer's connection. Its many-row statements (see {@code SetForms}) join arrays to tables
     * by key, each planned once: planned while the tables were small, a plan that scans a table
     * whole would be kept however large the table grew, so this session scans a table whole only
     * where nothing else can be done (the writer's statements all find their rows by an index).
     */
    private static Connection writerConnection(HikariDataSource writes) throws SQLException {
        var connection = writes.getConnection();
        try (var st = connection.createStatement()) {
            st.execute("SET enable_seqscan = off");
        } catch (SQLException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private static HikariDataSource pool(String url, String schema, String name, int size, boolean readOnly) {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        Optional.ofNullable(System.getenv(USER)).filter(u -> !u.isBlank()).ifPresent(config::setUsername);
        Optional.ofNullable(System.getenv(PASSWORD)).ifPresent(config::setPassword);
        config.setPoolName(name);
        config.setMaximumPoolSize(size);
        config.setAutoCommit(true);
        config.setReadOnly(readOnly);
        if (readOnly) {
            config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        } else {
            // The writer sends the same few messages over and over: prepared on the server from
            // their first use, each planned once (its statements look rows up by key, so a plan
            // for any values is as good as one for the values at hand), not parsed and planned
            // again at every step.
            config.addDataSourceProperty("prepareThreshold", "1");
            // A step's completion must be on disk before the next step starts and before its
            // effects are let out: a server (or a database or role) set to synchronous_commit = off
            // would answer a commit before flushing it, and a crash would lose steps whose effects
            // already happened. So the writer's sessions commit durably whatever the server's
            // default; a stronger setting (remote_write, remote_apply) or local is kept as it is.
            config.setConnectionInitSql("SET plan_cache_mode = force_generic_plan;"
                    + " SELECT set_config('synchronous_commit', 'on', false)"
                    + " WHERE current_setting('synchronous_commit') = 'off'");
        }
        if (schema != null) {
            config.setSchema(schema);
        }
        return new HikariDataSource(config);
    }

    private static java.util.List<String> migrate(
            javax.sql.DataSource dataSource, String location, String table, String schema, boolean create) {
        var flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(location)
                .table(table)
                .baselineOnMigrate(!table.equals("flyway_schema_history"))
                .baselineVersion("0");
        if (schema != null) {
            flyway = flyway.schemas(schema).defaultSchema(schema).createSchemas(create);
        }
        return Migrations.applied(flyway.load().migrate());
    }

    /** Migrates the tables kept apart by {@code table} with the Flyway migrations at {@code location}. */
    java.util.List<String> migrate(String location, String table) {
        return migrate(writes, location, table, schema, false);
    }

    /**
     * The number of the last event logged, read with the turn: a writer merging its batch's
     * statements numbers the events it logs after it (see {@link PostgresTx#nextEventSeq}).
     */
    private static final String EVENTS_HEAD = "(SELECT COALESCE(MAX(seq), 0) FROM events) AS events_head";

    /**
     * The statement that takes the writer's turn: the turn (counted by the trigger of {@code
     * writer_turns}), the forgets counted, and what the other writers' transactions since this
     * writer's last said they changed ({@code writer_changes}): how many said, and their runs, one a
     * line, and the number of the last event logged ({@link #EVENTS_HEAD}). Read only when this
     * writer's last turn is among those kept.
     */
    private static final String TURN =
            "WITH t AS (UPDATE writer_turns SET node = ? WHERE id = 1 RETURNING turn, forgets)"
                    + " SELECT t.turn, t.forgets, c.entries, c.runs, " + EVENTS_HEAD + " FROM t CROSS JOIN LATERAL"
                    + " (SELECT COUNT(*) AS entries, string_agg(w.runs, E'\\n') AS runs FROM writer_changes w"
                    + " WHERE w.turn > ? AND w.turn < t.turn AND t.turn - ? <= " + PostgresTx.KEPT_TURNS + ") c";

    /** {@link #TURN} without the look at what the others said, for a writer that saw none lately. */
    private static final String TURN_ALONE =
            "UPDATE writer_turns SET node = ? WHERE id = 1 RETURNING turn, forgets, " + EVENTS_HEAD;

    /** How many ids of events this node's writer logged it keeps (see {@link #newEvent}). */
    private static final int RECENT_EVENTS = 65_536;

    /** The ids of the events this node's writer logged lately, the oldest first; writer thread only. */
    private final java.util.Set<String> recentEvents =
            java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>(1024, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Boolean> eldest) {
                    return size() > RECENT_EVENTS;
                }
            });

    /**
     * Whether the writer may take the event {@code id} (logged unless {@code other}, or null) for new
     * without asking: not when this node's writer logged either id lately, as an event delivered
     * twice is (a sender that retries): the database then answers, rather than the batch failing
     * and running again unit by unit. Notes {@code id} as logged.
     */
    boolean newEvent(String id, String other) {
        boolean seen = recentEvents.contains(id) || (other != null && recentEvents.contains(other));
        recentEvents.add(id);
        return !seen;
    }

    /** How many of the items due longest a writer's transaction looks at as it takes its turn. */
    private static final int DUE_AHEAD_ROWS = 8;

    /**
     * What the turn's statement said in {@code row}, for {@code tx}, this writer's last turn being
     * {@code since}; {@code entries} and {@code runs} as {@link #follow} takes them.
     */
    private void turnTaken(PostgresTx tx, long since, dev.aios.kernel.spi.Row row, long entries, String runs) {
        long turn = row.integer("turn");
        heardForgets(row.integer("forgets"));
        follow(since, turn, entries, runs);
        tx.turn(turn, row.integer("events_head"));
    }

    /**
     * Forgets what this node keeps in memory of the runs other writers changed since its last turn
     * {@code since}, now that it takes turn {@code turn}: {@code entries} of the turns between said
     * which runs they changed, in {@code runs} (-1: it did not look). Forgets everything when that
     * cannot be told: no turn yet, too many turns since, or a turn that said nothing (a writer that
     * wrote alone until then, one that could not tell which runs it changed, or one of an earlier
     * version).
     */
    private void follow(long since, long turn, long entries, String runs) {
        if (since != 0 && turn == since + 1) {
            return;
        }
        // Another writer took a turn since this one's last, or, at this writer's first, ever did.
        if (turn > 1) {
            othersWroteAt = System.nanoTime();
        }
        if (since == 0 || turn - since > PostgresTx.KEPT_TURNS || entries != turn - since - 1) {
            forget(null);
            return;
        }
        for (var run : runs.split("\n")) {
            if (!run.isEmpty()) {
                forget(run);
            }
        }
    }

    /**
     * Whether another node's writer took a turn in the last minute (as this writer's turns tell), so
     * that this writer's transactions say which runs they change. A node that writes alone says
     * nothing; when another begins to write, each forgets everything at its turns until the other
     * has seen one of its turns and says what it changes.
     */
    boolean othersWriteLately() {
        return othersWroteAt != 0 && System.nanoTime() - othersWroteAt < OTHERS_LATELY;
    }

    /** Forgets what this node keeps of run {@code runId}: its state, its leases, its work (of every run, when null). */
    private void forget(String runId) {
        if (runId == null) {
            live.clear();
            leases.changed(null);
        } else {
            live.remove(runId);
            leases.ofRunChanged(runId);
        }
        workForgotten(runId);
    }

    /** The run states kept in memory, for the writer's transaction once it has taken its turn. */
    java.util.Map<String, dev.aios.kernel.internal.run.RunState> live() {
        return live;
    }

    /**
     * The leases this node's writer granted and knows to be held, for the writer's transaction once
     * it has taken its turn: another node changes a lease only in a transaction that says so, and
     * this writer says in {@link #leaseChanged} what it changes.
     */
    dev.aios.kernel.internal.store.jdbc.KeptLeases leases() {
        return leases;
    }

    /**
     * The work rows of the runs this node's writer knows whole, for the writer's transaction once it
     * has taken its turn: another node changes them only in a transaction that says so, and this
     * writer says in {@link #workForgotten} which it cannot follow.
     */
    java.util.Map<
                    String,
                    java.util.Map<dev.aios.kernel.internal.store.WorkKey, dev.aios.kernel.internal.store.jdbc.WorkRow>>
            work() {
        return work;
    }

    /** Forgets the work rows of run {@code runId} (of every run, when null). */
    void workForgotten(String runId) {
        if (runId == null) {
            work.clear();
        } else {
            work.remove(runId);
        }
    }

    /** Forgets the lease of {@code key} (of every item, when null): this writer changed it, or may have. */
    void leaseChanged(dev.aios.kernel.internal.store.WorkKey key) {
        leases.changed(key);
    }

    /**
     * Forgets the leases of run {@code runId}'s items: this writer removed some of its rows. The
     * leases of other runs stay known, so that their steps' lease checks, which follow every run's
     * end at many runs in flight, need no round trip.
     */
    void leasesOfRunChanged(String runId) {
        leases.ofRunChanged(runId);
    }

    /**
     * {@inheritDoc} In the writer's transaction this takes the writer's turn first (its first round
     * trip, made a little earlier): it reads the count of forgets under the writers' lock.
     */
    @Override
    public long forgets() {
        if (writer.inUnit()) {
            var tx = open;
            if (tx != null) {
                tx.takeTurn();
            }
        }
        return forgetsHeard;
    }

    /** Learns that {@code count} forgets have committed, by the writer's turn or a notification. */
    private void heardForgets(long count) {
        if (count > forgetsCounted) {
            synchronized (this) {
                if (count > forgetsCounted) {
                    forgetsCounted = count;
                    forgetsHeard++;
                }
            }
        }
    }

    /** Forgets may go unheard for a while (the listening connection broke): keys kept may be stale. */
    private synchronized void mayMissForgets() {
        forgetsHeard++;
    }

    @Override
    protected Writer writer() {
        return writer;
    }

    @Override
    public java.util.List<String> migrated() {
        return migrated;
    }

    /** Frees the space of deleted and overwritten rows, so they are no longer kept as old versions. */
    private static boolean vacuum(Connection connection) throws SQLException {
        try (var st = connection.createStatement()) {
            st.execute("VACUUM events, journal, runs, snapshots, receipts, subject_keys, loop_items, tasks, awaits");
        }
        return true;
    }

    @Override
    public <T> T write(Unit<T> unit) {
        return writer.write(unit);
    }

    @Override
    public <T> CompletableFuture<T> submit(Unit<T> unit) {
        return writer.submit(unit);
    }

    @Override
    public <T> T read(Unit<T> unit) {
        try (Connection c = reads.getConnection()) {
            c.setAutoCommit(false);
            try {
                return unit.run(
                        new PostgresTx(new JdbcHandle(c, null, Handle.Dialect.POSTGRESQL, location()), false, this));
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StorageException("cannot read the database at " + location() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void onCommitElsewhere(Runnable action) {
        notifications.add(action);
    }

    @Override
    public Storage extensions() {
        return extensions;
    }

    /** A fresh schema of the same database, dropped on close. */
    @Override
    public Store scratch() {
        return new PostgresStore(
                url, "aios_scratch_" + UUID.randomUUID().toString().replace("-", ""), true);
    }

    @Override
    public String location() {
        return withoutCredentials(url) + (schema == null ? "" : " (schema " + schema + ")");
    }

    @Override
    public void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        reads.setMetricRegistry(registry);
    }

    @Override
    public void close() {
        try {
            notifications.close();
            writer.close();
            reads.close();
            if (scratch) {
                try (var c = writes.getConnection();
                        var st = c.createStatement()) {
                    st.execute("DROP SCHEMA " + schema + " CASCADE");
                } catch (SQLException e) {
                    // a scratch schema left behind holds no data that matters
                }
            }
        } finally {
            writes.close();
        }
    }

    /** {@code url} without its query string, which may hold a password. */
    static String withoutCredentials(String url) {
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }
}
