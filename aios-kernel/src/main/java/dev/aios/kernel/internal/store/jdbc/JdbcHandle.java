package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.spi.Handle;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one way the kernel's stores, and the extensions through them, run SQL: a connection inside a
 * transaction someone else owns, with positional arguments bound by type (see {@link Handle}).
 * Errors become {@link StorageException}s whose cause is the driver's {@link SQLException}.
 */
public final class JdbcHandle implements Handle {
    private final Connection connection;
    private final Statements statements;
    private final Dialect dialect;
    private final String where;
    /**
     * Statements to send together with the next one (PostgreSQL, writer): several statements go in
     * one message, so that they cost no round trip of their own. In the order they were asked for.
     */
    private final StringBuilder deferred = new StringBuilder();
    /** The arguments of the deferred statements, in order. */
    private final List<Object> deferredArgs = new ArrayList<>();
    /** How many statements are deferred (each yields one result the next statement skips). */
    private int deferredCount;
    /** Whether a deferred statement changes data (and so must be sent before its unit ends). */
    private boolean deferredWrites;
    /**
     * The statement deferred last when it is a multi-row insert that {@link #insertLater} may still
     * add rows to, or null.
     */
    private Rows rows;
    /** Where the statements waiting ended when {@link #pending} last marked them. */
    private long markSends = -1;

    private int markLength;

    /** A deferred multi-row insert: its text before the rows, where it begins, how many rows it has. */
    private record Rows(String head, long sends, int start, int count) {}

    /** The most rows one insert of {@link #insertLater} takes (PostgreSQL binds at most 32,767 values). */
    private static final int MAX_ROWS = 200;

    /** The statement {@link #hold} holds back (SQLite writer), or null. */
    private Held held;

    private record Held(String sql, Object[] args) {}

    /** What reads the rows of a deferred statement, by the statement's place among those deferred. */
    private final java.util.Map<Integer, java.util.function.Consumer<dev.aios.kernel.spi.Row>> deferredReaders =
            new java.util.HashMap<>();
    /** Counts the messages sent with deferred statements, so a {@link Pending} mark knows if it is stale. */
    private long sends;
    /**
     * Whether the statements waiting begin with the end of an earlier unit of the writer (its writes
     * and the release of its savepoint), sent with the next unit's first statement; see {@link
     * #endUnitLater}.
     */
    private boolean earlierUnit;
    /** The failure of a message that held the end of an earlier unit, until the writer takes it. */
    private SQLException earlierFailure;

    /**
     * The statements a batch's units made and the writer holds until its next round trip, in order,
     * when it {@link #merge}s them (PostgreSQL, units run together); null when it does not. They
     * become the statements deferred ({@link #render}) only when something is sent.
     */
    private List<Entry> entries;
    /** Whether one of {@link #entries} changes data. */
    private boolean entriesWrite;

    /**
     * A statement held by {@link #merge}: with its many-row form when it has one, with the reader of
     * its rows when it is a query whose answer someone waits for, and last when it is a look that
     * goes after the other statements ({@link #lookLater}).
     */
    private record Entry(
            String sql,
            Object[] args,
            SetForms.SetForm form,
            java.util.function.Consumer<dev.aios.kernel.spi.Row> reader,
            boolean write,
            boolean last) {}

    /**
     * @param statements prepared statements kept for reuse, or null to prepare each statement afresh
     * @param where the database's location, for error messages
     */
    public JdbcHandle(Connection connection, Statements statements, Dialect dialect, String where) {
        this.connection = connection;
        this.statements = statements;
        this.dialect = dialect;
        this.where = where;
    }

    /** Reads the result of a statement that was executed. */
    @FunctionalInterface
    private interface Use<T> {
        T apply(Statement executed) throws SQLException;
    }

    @Override
    public int update(String sql, Object... args) {
        return with(sql, args, Statement::getUpdateCount);
    }

    /**
     * Runs a statement that changes data and whose count nobody needs: on PostgreSQL, in the
     * writer's transaction, it goes with the next statement (or {@link #send}), in the same round
     * trip; elsewhere at once. An error it meets is thrown by the statement it is sent with.
     */
    public void updateLater(String sql, Object... args) {
        if (!pipelined()) {
            update(sql, args);
            return;
        }
        if (entries != null) {
            entries.add(new Entry(sql, args, SetForms.of(sql), null, true, false));
            entriesWrite = true;
            return;
        }
        defer(sql, args);
        deferredWrites = true;
        if (deferredCount >= MAX_DEFERRED) {
            send();
        }
    }

    /**
     * Inserts one row, {@code head} (an {@code INSERT INTO ... VALUES} without its rows) then {@code
     * row} (one parenthesised row with its arguments {@code args}), as {@link #updateLater} does. On
     * PostgreSQL, in the writer, a row whose insert comes right after another of the same {@code
     * head}, with no {@link #pending} mark between them, becomes a row of that insert: a unit's rows
     * of one table go in one statement, whose start-up the server does once. An error any row meets
     * fails the statement, and so the unit, as its own insert would have.
     */
    public void insertLater(String head, String row, Object... args) {
        if (!pipelined()) {
            update(head + row, args);
            return;
        }
        if (entries != null) {
            updateLater(head + row, args);
            return;
        }
        var last = rows;
        if (last != null
                && last.head().equals(head)
                && last.sends() == sends
                && last.count() < MAX_ROWS
                && !(markSends == sends && markLength > last.start())) {
            deferred.append(", ").append(row);
            java.util.Collections.addAll(deferredArgs, args);
            rows = new Rows(head, sends, last.start(), last.count() + 1);
            return;
        }
        int start = deferred.length();
        updateLater(head + row, args);
        if (deferred.length() > start) {
            rows = new Rows(head, sends, start, 1);
        }
    }

    /**
     * Whether {@link #updateLater} waits for the next statement (PostgreSQL, in the writer), so that
     * what it deferred last may still be taken back with {@link #discardSince}.
     */
    public boolean defersWrites() {
        return pipelined();
    }

    /**
     * Whether {@link #hold} holds a statement back until another one runs (SQLite, in the writer), so
     * that arguments made with {@link #later} may still be changed.
     */
    public boolean holdsWrites() {
        return dialect == Dialect.SQLITE && statements != null;
    }

    /**
     * Holds back {@code sql}, a write whose count nobody needs, until the next statement of this
     * handle other than those of {@link #queryBesideHeld} and {@link #updateBesideHeld}, or {@link
     * #runHeld}; until then its {@link #later} arguments may change (SQLite writer; elsewhere it goes
     * as {@link #updateLater}). A statement held before runs first. A statement SQLite executes costs
     * its writer a fixed share whatever it does: a work item inserted and then, in the same unit,
     * started and leased is written in one statement instead of three.
     */
    public void hold(String sql, Object... args) {
        if (!holdsWrites()) {
            updateLater(sql, args);
            return;
        }
        runHeld();
        held = new Held(sql, args);
    }

    /** Runs the statement held back, if any. */
    public void runHeld() {
        var statement = held;
        if (statement == null) {
            return;
        }
        held = null;
        sends++;
        update(statement.sql(), statement.args());
    }

    /** Forgets the statement held back, if any: the unit that held it is rolled back. */
    private void dropHeld() {
        if (held != null) {
            held = null;
            sends++;
        }
    }

    /** Whether {@code arg}'s statement is the one held back now (SQLite writer). */
    public boolean isHeld(Later arg) {
        return held != null && arg.sends == sends;
    }

    /**
     * A query that leaves the statement held back where it is; the caller accounts for what that
     * statement would change in the rows it reads.
     */
    public <T> List<T> queryBesideHeld(String sql, RowMapper<T> mapper, Object... args) {
        return besideHeld(() -> query(sql, mapper, args));
    }

    /**
     * A write that leaves the statement held back where it is: for a statement that neither reads
     * nor writes the held one's table (they then come out the same in either order).
     */
    public void updateBesideHeld(String sql, Object... args) {
        besideHeld(() -> {
            update(sql, args);
            return null;
        });
    }

    /** Runs {@code statement} with the statement held back set aside, and holds it again after. */
    private <T> T besideHeld(java.util.function.Supplier<T> statement) {
        var kept = held;
        held = null;
        try {
            return statement.get();
        } finally {
            held = kept;
        }
    }

    /** Whether statements not needing an answer wait for the next one: PostgreSQL, in the writer. */
    private boolean pipelined() {
        return dialect == Dialect.POSTGRESQL && statements != null;
    }

    /** More statements than this waiting to be sent are sent at once. */
    private static final int MAX_DEFERRED = 200;

    private void defer(String sql, Object[] args) {
        rows = null;
        if (!deferred.isEmpty()) {
            deferred.append("; ");
        }
        deferred.append(sql);
        java.util.Collections.addAll(deferredArgs, args);
        deferredCount++;
    }

    /** How many messages this handle sent with statements that waited: it changes whenever they go. */
    public long sends() {
        return sends;
    }

    /** Whether statements that change data are waiting to be sent. */
    public boolean writesPending() {
        return deferredWrites || entriesWrite;
    }

    /**
     * From now until this transaction ends, holds every statement that needs no answer until the
     * next that does, or the commit, and sends them then with the statements of {@link SetForms}
     * merged: one statement a kind for the rows of all units in between, one owner's rows in the
     * order they were made (PostgreSQL writer, for units run together, which commit or roll back
     * as one; not for units each in a savepoint, whose writes must fail on their own).
     */
    public void merge() {
        if (pipelined() && entries == null) {
            entries = new ArrayList<>();
        }
    }

    /** Whether this handle holds statements for {@link #merge}. */
    public boolean merging() {
        return entries != null;
    }

    /**
     * An argument of a deferred statement whose value may still be changed, with {@link #change},
     * until the statement is sent (PostgreSQL, writer).
     */
    public static final class Later {
        private Object value;
        private final int sqlType;
        private final long sends;

        private Later(Object value, int sqlType, long sends) {
            this.value = value;
            this.sqlType = sqlType;
            this.sends = sends;
        }
    }

    /**
     * An argument for a statement about to be deferred, {@code value} until it is changed; bound as
     * a null of {@code sqlType} ({@link Types}) while null, so that its statement keeps one type
     * signature on the server whether the value came or not.
     */
    public Later later(Object value, int sqlType) {
        return new Later(value, sqlType, sends);
    }

    /**
     * Changes the value of {@code arg} if the statement it was deferred with was not sent yet; false
     * if it was (the value it was sent with stays). A statement taken back since is not sent at all,
     * whatever its argument.
     */
    public boolean change(Later arg, Object value) {
        if (arg.sends != sends) {
            return false;
        }
        arg.value = value;
        return true;
    }

    /** Where the statements waiting to be sent end now; see {@link #discardSince}. */
    public record Pending(long sends, int length, int args, int count) {}

    /** Where the statements waiting to be sent end now. */
    public Pending pending() {
        // Everything before the mark has run: whatever is held after it belongs after it.
        runHeld();
        if (entries != null) {
            return new Pending(sends, -1, -1, entries.size());
        }
        markSends = sends;
        markLength = deferred.length();
        return new Pending(sends, deferred.length(), deferredArgs.size(), deferredCount);
    }

    /**
     * Forgets the statements deferred after {@code mark} and not sent yet (those of a unit that is
     * rolled back); if some were sent since, everything waiting now came after the mark.
     */
    public void discardSince(Pending mark) {
        dropHeld();
        rows = null;
        if (entries != null) {
            if (mark.sends() != sends) {
                clearDeferred();
                return;
            }
            entries.subList(mark.count(), entries.size()).clear();
            entriesWrite = entries.stream().anyMatch(Entry::write);
            return;
        }
        if (mark.sends() != sends) {
            clearDeferred();
            return;
        }
        deferred.setLength(mark.length());
        deferredArgs.subList(mark.args(), deferredArgs.size()).clear();
        deferredCount = mark.count();
        deferredReaders.keySet().removeIf(index -> index >= mark.count());
        // What is left may hold writes of earlier units; they are sent before anything else.
    }

    /**
     * Defers {@code release} (the release of the savepoint of the unit ending now) after the unit's
     * writes still waiting, so that they go with the next unit's first statement: one round trip
     * fewer a unit. If the message they go in fails, the failure may be theirs or the next unit's;
     * {@link #takeEarlierFailure} says that the writer must find out which (the next unit's
     * savepoint exists only if the error came after it). PostgreSQL writer only, and only when no
     * earlier unit's end is waiting already ({@link #holdsEarlierUnit}).
     */
    public void endUnitLater(String release) {
        if (!pipelined() || earlierUnit || entries != null) {
            throw new IllegalStateException("only one unit's end may wait, on PostgreSQL, in the writer");
        }
        defer(release, new Object[0]);
        earlierUnit = true;
    }

    /** Whether the end of an earlier unit waits to be sent with the next statement. */
    public boolean holdsEarlierUnit() {
        return earlierUnit;
    }

    /**
     * The failure of the last message that held the end of an earlier unit, if it failed; forgets
     * it. Null when none failed.
     */
    public SQLException takeEarlierFailure() {
        var failure = earlierFailure;
        earlierFailure = null;
        return failure;
    }

    /** Whether a message that held the end of an earlier unit failed, and the writer did not take it yet. */
    public boolean earlierFailed() {
        return earlierFailure != null;
    }

    /** Notes that the message about to be sent, which held the end of an earlier unit, failed. */
    private SQLException failed(SQLException e, boolean withEarlierUnit) {
        if (withEarlierUnit) {
            earlierFailure = e;
        }
        return e;
    }

    /** Sends the statements waiting, if any, in one round trip. */
    public void send() {
        runHeld();
        try {
            render();
            flushDeferred();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public long insert(String sql, Object... args) {
        if (dialect == Dialect.SQLITE) {
            // The driver is told not to look for generated keys after every statement (it matched
            // each one against a pattern and, after an insert, queried the row id with a statement
            // prepared afresh); the one insert that needs its key asks for it, both statements kept.
            update(sql, args);
            return count("SELECT last_insert_rowid()");
        }
        try {
            render();
            flushDeferred();
        } catch (SQLException e) {
            throw failure(e);
        }
        try (var ps = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            bind(ps, args);
            ps.executeUpdate();
            try (var keys = ps.getGeneratedKeys()) {
                if (!keys.next()) {
                    throw new SQLException("no key was generated by " + sql);
                }
                return keys.getLong(1);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    @Override
    public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
        return with(sql, args, ps -> {
            try (var rs = resultSet(ps, sql)) {
                var out = new ArrayList<T>();
                var row = new JdbcRow(rs);
                while (rs.next()) {
                    out.add(mapper.map(row));
                }
                return out;
            }
        });
    }

    @Override
    public <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args) {
        return with(sql, args, ps -> {
            try (var rs = resultSet(ps, sql)) {
                return rs.next() ? Optional.ofNullable(mapper.map(new JdbcRow(rs))) : Optional.empty();
            }
        });
    }

    @Override
    public long count(String sql, Object... args) {
        return with(sql, args, ps -> {
            try (var rs = resultSet(ps, sql)) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    @Override
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Runs one SQL statement without arguments and without keeping the statement (pragmas,
     * savepoints), with what is deferred before it; the SQLite writer keeps it prepared.
     */
    public void execute(String sql) {
        if (dialect == Dialect.SQLITE && statements != null) {
            // The writer's savepoints, a few per unit: kept prepared like its other statements.
            update(sql);
            return;
        }
        try {
            render();
        } catch (SQLException e) {
            throw failure(e);
        }
        if (deferredArgs.isEmpty() && deferredReaders.isEmpty()) {
            String all = deferred.isEmpty() ? sql : deferred + "; " + sql;
            boolean withEarlierUnit = earlierUnit;
            clearDeferred();
            sends++;
            try (var st = connection.createStatement()) {
                st.execute(all);
            } catch (SQLException e) {
                throw failure(failed(e, withEarlierUnit));
            }
            return;
        }
        defer(sql, new Object[0]);
        send();
    }

    /**
     * Runs SQL without arguments before the next statement of this handle: on PostgreSQL in the same
     * round trip as that statement (several statements go in one message), elsewhere at once. What
     * is still deferred when the transaction ends is dropped (see {@link #dropDeferred}), so only
     * statements whose effect the end of the transaction makes moot may be deferred past the last
     * statement (locks and savepoint releases before a commit, say).
     */
    public void executeLater(String sql) {
        if (dialect != Dialect.POSTGRESQL) {
            execute(sql);
            return;
        }
        if (entries != null) {
            entries.add(new Entry(sql, new Object[0], null, null, false, false));
            return;
        }
        defer(sql, new Object[0]);
    }

    /**
     * Runs a query (or a statement {@code RETURNING} rows) before the next statement of this handle,
     * in the same round trip, and hands each of its rows to {@code reader} when its result arrives:
     * on PostgreSQL in the writer's transaction; elsewhere at once. If the transaction ends before
     * anything else is sent, it is dropped like {@link #executeLater} and {@code reader} is not called.
     * Values that change from one call to the next go in {@code args}, not in {@code sql}: the
     * driver prepares a message on the server once it has seen the same text a few times.
     */
    public void queryLater(String sql, java.util.function.Consumer<dev.aios.kernel.spi.Row> reader, Object... args) {
        if (!pipelined()) {
            query(
                    sql,
                    row -> {
                        reader.accept(row);
                        return Boolean.TRUE;
                    },
                    args);
            return;
        }
        if (entries != null) {
            entries.add(new Entry(sql, args, null, reader, false, false));
            return;
        }
        deferredReaders.put(deferredCount, reader);
        defer(sql, args);
    }

    /**
     * {@link #queryLater} for a look whose answer is a hint, true as well if it sees what statements
     * made after it change: when this handle {@link #merge}s, it goes after every other statement of
     * the message it is sent in, so that it does not part the writes before it from those after.
     */
    public void lookLater(String sql, java.util.function.Consumer<dev.aios.kernel.spi.Row> reader, Object... args) {
        if (entries != null) {
            entries.add(new Entry(sql, args, null, reader, false, true));
            return;
        }
        queryLater(sql, reader, args);
    }

    /**
     * Forgets the statements deferred and not sent yet, the transaction being about to end; only
     * statements the end makes moot may be forgotten, so writes still waiting are sent first.
     */
    public void dropDeferred() {
        runHeld();
        if (entriesWrite || deferredWrites) {
            send();
        }
        clearDeferred();
    }

    /** Forgets every statement deferred and not sent yet: the transaction is rolled back. */
    public void abandon() {
        dropHeld();
        clearDeferred();
    }

    private void clearDeferred() {
        rows = null;
        deferred.setLength(0);
        deferredArgs.clear();
        deferredCount = 0;
        deferredWrites = false;
        deferredReaders.clear();
        earlierUnit = false;
        if (entries != null) {
            entries.clear();
            entriesWrite = false;
        }
    }

    /**
     * Goes through the results of the first {@code count} statements of a message, handing the rows
     * of those with a reader to it; leaves the statement at the result of the next one.
     */
    private static void readDeferred(
            Statement executed,
            int count,
            java.util.Map<Integer, java.util.function.Consumer<dev.aios.kernel.spi.Row>> readers)
            throws SQLException {
        for (int i = 0; i < count; i++) {
            var reader = readers.get(i);
            if (reader != null) {
                try (var rs = executed.getResultSet()) {
                    var row = rs == null ? null : new JdbcRow(rs);
                    while (rs != null && rs.next()) {
                        reader.accept(row);
                    }
                }
            }
            executed.getMoreResults();
        }
    }

    private void flushDeferred() throws SQLException {
        if (deferred.isEmpty()) {
            return;
        }
        String all = deferred.toString();
        var args = deferredArgs.toArray();
        int count = deferredCount;
        var readers = deferredReaders.isEmpty()
                ? java.util.Map.<Integer, java.util.function.Consumer<dev.aios.kernel.spi.Row>>of()
                : java.util.Map.copyOf(deferredReaders);
        boolean withEarlierUnit = earlierUnit;
        clearDeferred();
        sends++;
        try {
            if (args.length == 0) {
                try (var st = connection.createStatement()) {
                    st.execute(all);
                    readDeferred(st, readers.isEmpty() ? 0 : count, readers);
                }
                return;
            }
            try (var ps = connection.prepareStatement(all)) {
                bind(ps, args);
                ps.execute();
                readDeferred(ps, readers.isEmpty() ? 0 : count, readers);
            }
        } catch (SQLException e) {
            throw failed(e, withEarlierUnit);
        }
    }

    /**
     * Turns the statements {@link #merge} holds into statements deferred: those with a many-row form
     * merged, one statement a kind for the rows between two statements that have none (which go as
     * they are, in their place); one owner's rows in the order they were made, a kind's rows of one
     * owner in one statement only when its form is repeatable.
     */
    private void render() throws SQLException {
        if (entries == null || entries.isEmpty()) {
            return;
        }
        var all = new ArrayList<Entry>(entries.size());
        var looks = new ArrayList<Entry>();
        for (var entry : entries) {
            (entry.last() ? looks : all).add(entry);
        }
        entries.clear();
        entriesWrite = false;
        int start = 0;
        for (int i = 0; i <= all.size(); i++) {
            if (i == all.size() || all.get(i).form() == null) {
                renderMerged(all.subList(start, i));
                if (i < all.size()) {
                    deferEntry(all.get(i));
                }
                start = i + 1;
            }
        }
        looks.forEach(this::deferEntry);
    }

    private void deferEntry(Entry entry) {
        if (entry.reader() != null) {
            deferredReaders.put(deferredCount, entry.reader());
        }
        defer(entry.sql(), entry.args());
        if (entry.write()) {
            deferredWrites = true;
        }
    }

    /** Defers the statements of {@code segment}, all with a many-row form, merged. */
    private void renderMerged(List<Entry> segment) throws SQLException {
        if (segment.isEmpty()) {
            return;
        }
        if (segment.size() == 1) {
            deferEntry(segment.getFirst());
            return;
        }
        // Each owner's statements, by their place in the segment, owners in the order they came.
        var queues = new java.util.LinkedHashMap<Object, java.util.ArrayDeque<Integer>>();
        for (int i = 0; i < segment.size(); i++) {
            var entry = segment.get(i);
            queues.computeIfAbsent(entry.form().ownerOf(entry.args()), owner -> new java.util.ArrayDeque<>())
                    .add(i);
        }
        while (!queues.isEmpty()) {
            // The kind of the statement made first among those each owner has next.
            int first = Integer.MAX_VALUE;
            for (var queue : queues.values()) {
                first = Math.min(first, queue.peek());
            }
            var form = segment.get(first).form();
            var group = new ArrayList<Entry>();
            for (var it = queues.values().iterator(); it.hasNext(); ) {
                var queue = it.next();
                while (!queue.isEmpty() && segment.get(queue.peek()).form() == form) {
                    group.add(segment.get(queue.poll()));
                    if (!form.repeatable()) {
                        break;
                    }
                }
                if (queue.isEmpty()) {
                    it.remove();
                }
            }
            if (group.size() == 1) {
                deferEntry(group.getFirst());
                continue;
            }
            var rows = new ArrayList<Object[]>(group.size());
            for (var entry : group) {
                rows.add(entry.args());
            }
            defer(form.setSql(), form.arrays(connection, rows));
            deferredWrites = true;
        }
    }

    /** The connection, for what only JDBC can do (migrations, batches); what is deferred is sent first. */
    public Connection connection() {
        send();
        return connection;
    }

    private <T> T with(String sql, Object[] args, Use<T> use) {
        runHeld();
        try {
            render();
            if (!deferred.isEmpty()) {
                return withDeferred(sql, args, use);
            }
            if (statements == null) {
                try (PreparedStatement ps = connection.prepareStatement(sql)) {
                    bind(ps, args);
                    ps.execute();
                    return use.apply(ps);
                }
            }
            var ps = statements.get(connection, sql);
            if (dialect != Dialect.SQLITE || ps.getParameterMetaData().getParameterCount() != args.length) {
                // SQLite's driver binds every parameter again at each execution: when all are set
                // below, clearing them first costs a native call a statement for nothing.
                ps.clearParameters();
            }
            bind(ps, args);
            ps.execute();
            return use.apply(ps);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Runs {@code sql} in one message after the deferred statements, skipping their results. */
    private <T> T withDeferred(String sql, Object[] args, Use<T> use) throws SQLException {
        int skip = deferredCount;
        defer(sql, args);
        String all = deferred.toString();
        var allArgs = deferredArgs.toArray();
        var readers = deferredReaders.isEmpty()
                ? java.util.Map.<Integer, java.util.function.Consumer<dev.aios.kernel.spi.Row>>of()
                : java.util.Map.copyOf(deferredReaders);
        boolean withEarlierUnit = earlierUnit;
        clearDeferred();
        sends++;
        try (var ps = connection.prepareStatement(all)) {
            bind(ps, allArgs);
            ps.execute();
            readDeferred(ps, skip, readers);
            return use.apply(ps);
        } catch (SQLException e) {
            throw failed(e, withEarlierUnit);
        }
    }

    /** The rows {@code sql} returned, or a clear failure when it returned none. */
    private static java.sql.ResultSet resultSet(Statement executed, String sql) throws SQLException {
        var rs = executed.getResultSet();
        if (rs == null) {
            throw new SQLException("no rows were returned by " + sql);
        }
        return rs;
    }

    private StorageException failure(SQLException e) {
        return new StorageException("the database at " + where + " failed: " + e.getMessage(), e);
    }

    private static void bind(PreparedStatement ps, Object[] args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            bind(ps, i + 1, args[i]);
        }
    }

    private static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        switch (value) {
            case null -> ps.setNull(index, Types.NULL);
            case String s -> ps.setString(index, s);
            case Long l -> ps.setLong(index, l);
            case Integer i -> ps.setLong(index, i);
            case Double d -> ps.setDouble(index, d);
            case Boolean b -> ps.setLong(index, b ? 1 : 0);
            case Instant t -> ps.setLong(index, t.toEpochMilli());
            case byte[] bytes -> ps.setBytes(index, bytes);
            case Optional<?> o -> bind(ps, index, o.orElse(null));
            case Enum<?> e -> ps.setString(index, wire(e));
            case java.sql.Array a -> ps.setArray(index, a);
            case Later later -> {
                if (later.value == null) {
                    ps.setNull(index, later.sqlType);
                } else {
                    bind(ps, index, later.value);
                }
            }
            default ->
                throw new IllegalArgumentException(
                        "cannot bind " + value.getClass().getName());
        }
    }

    /**
     * {@code value}, an argument as {@link #bind} takes it, as an element of an array ({@code text},
     * {@code int8} or {@code bytea}).
     */
    static Object plain(Object value) {
        return switch (value) {
            case null -> null;
            case Later later -> plain(later.value);
            case Optional<?> o -> plain(o.orElse(null));
            case Instant t -> t.toEpochMilli();
            case Integer i -> i.longValue();
            case Boolean b -> b ? 1L : 0L;
            case Enum<?> e -> wire(e);
            default -> value;
        };
    }

    /** Each enum's wire names by ordinal, asked of its {@code wire()} once per enum type. */
    private static final ClassValue<String[]> WIRE = new ClassValue<>() {
        @Override
        protected String[] computeValue(Class<?> type) {
            java.lang.reflect.Method wire;
            try {
                wire = type.getMethod("wire");
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException(
                        "cannot bind " + type.getName() + ": an enum is stored by its wire() name");
            }
            var constants = type.getEnumConstants();
            var names = new String[constants.length];
            try {
                for (int i = 0; i < constants.length; i++) {
                    names[i] = (String) wire.invoke(constants[i]);
                }
            } catch (ReflectiveOperationException | ClassCastException missing) {
                throw new IllegalArgumentException(
                        "cannot bind " + type.getName() + ": an enum is stored by its wire() name", missing);
            }
            return names;
        }
    };

    private static String wire(Enum<?> e) {
        return WIRE.get(e.getDeclaringClass())[e.ordinal()];
    }
}
