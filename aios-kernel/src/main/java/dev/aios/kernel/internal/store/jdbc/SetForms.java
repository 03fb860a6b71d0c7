package dev.aios.kernel.internal.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * The writer's statements that change one row, each with a form that changes many rows at once
 * (PostgreSQL): the rows of a batch's units go to the server as one statement a kind ({@code unnest}
 * of an array a column) instead of one a row. The server's work a row is then mostly the row's own:
 * a statement's start-up, its locks, its plan and its message are paid once a batch, not once a row
 * (measured by {@code aios-bench/run postgres --floor}: a third to two thirds of its CPU a step).
 *
 * <p>Each statement's rows belong to one owner, named by one of its arguments (a run, or an event):
 * statements of different owners never touch the same rows, so that they may be sent in any order
 * between each other, while one owner's go in the order they were made (see {@link JdbcHandle}).
 */
final class SetForms {
    /**
     * A row statement's many-row form.
     *
     * @param sql the statement for one row
     * @param setSql the statement for many, one array argument a column
     * @param owner the index of the argument that names the rows' owner
     * @param columns the indexes of the arguments that make the arrays, in {@code setSql}'s order
     * @param types the PostgreSQL type of each array's elements
     * @param repeatable whether one owner's rows may go in one statement together (inserts and
     *     deletes: rows of one statement never change a row another of its rows changes); not for
     *     updates, which would change a row once whatever its rows say
     */
    record SetForm(String sql, String setSql, int owner, int[] columns, String[] types, boolean repeatable) {
        /** The owner of the rows {@code args} are for. */
        Object ownerOf(Object[] args) {
            return args[owner];
        }

        /** The arrays of {@code rows}' arguments, one a column, bound as {@code setSql}'s arguments. */
        Object[] arrays(Connection connection, List<Object[]> rows) throws SQLException {
            var arrays = new Object[columns.length];
            for (int c = 0; c < columns.length; c++) {
                Object[] values =
                        switch (types[c]) {
                            case "int8" -> new Long[rows.size()];
                            case "bytea" -> new byte[rows.size()][];
                            default -> new String[rows.size()];
                        };
                for (int r = 0; r < rows.size(); r++) {
                    values[r] = JdbcHandle.plain(rows.get(r)[columns[c]]);
                }
                arrays[c] = connection.createArrayOf(types[c], values);
            }
            return arrays;
        }
    }

    private static final String[] WORK_KEY = {"text", "text", "int8"};

    private static final Map<String, SetForm> FORMS = forms(
            new SetForm(
                    JdbcRuns.UPDATE_PROGRESS,
                    "UPDATE runs SET current_step = u.c, updated_at = u.t, last_seq = u.q, last_checksum = u.k"
                            + " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[])"
                            + " AS u(c, t, q, k, id) WHERE runs.id = u.id",
                    4,
                    new int[] {0, 1, 2, 3, 4},
                    new String[] {"text", "int8", "int8", "text", "text"},
                    false),
            new SetForm(
                    JdbcRuns.UPDATE_COLUMNS,
                    "UPDATE runs SET status = u.st, current_step = u.c, updated_at = u.t, last_seq = u.q,"
                            + " last_checksum = u.k FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[],"
                            + " ?::text[], ?::text[]) AS u(st, c, t, q, k, id) WHERE runs.id = u.id",
                    5,
                    new int[] {0, 1, 2, 3, 4, 5},
                    new String[] {"text", "text", "int8", "int8", "text", "text"},
                    false),
            new SetForm(
                    JdbcRuns.UPSERT_POSTGRES,
                    "INSERT INTO runs (id, playbook, version, subject, status, current_step, created_at, updated_at,"
                            + " last_seq, last_checksum, state, trigger_id) SELECT * FROM unnest(?::text[],"
                            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],"
                            + " ?::bigint[], ?::text[], ?::text[], ?::text[])"
                            + JdbcRuns.UPSERT_POSTGRES.substring(JdbcRuns.UPSERT_POSTGRES.indexOf(" ON CONFLICT")),
                    0,
                    new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                    new String[] {
                        "text", "text", "text", "text", "text", "text", "int8", "int8", "int8", "text", "text", "text"
                    },
                    false),
            new SetForm(
                    JdbcWork.INSERT_LEASED,
                    "INSERT INTO work (run_id, step_id, iteration, kind, visible_at, attempt, lease_owner, lease_until)"
                            + " SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[],"
                            + " ?::bigint[], ?::text[], ?::bigint[])",
                    0,
                    new int[] {0, 1, 2, 3, 4, 5, 6, 7},
                    new String[] {"text", "text", "int8", "text", "int8", "int8", "text", "int8"},
                    true),
            new SetForm(
                    JdbcWork.REMOVE_COMPLETED,
                    "WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[]) AS k(r, s, i)),"
                            + " w AS (DELETE FROM work USING k WHERE work.run_id = k.r AND work.step_id = k.s"
                            + " AND work.iteration = k.i), a AS (DELETE FROM awaits USING k WHERE awaits.run_id = k.r"
                            + " AND awaits.step_id = k.s AND awaits.iteration = k.i)"
                            + " DELETE FROM loop_items USING k WHERE loop_items.run_id = k.r AND loop_items.block = k.s",
                    0,
                    new int[] {0, 1, 2},
                    WORK_KEY,
                    true),
            new SetForm(
                    JdbcWork.START_AND_LEASE,
                    "UPDATE work SET attempt = u.a, lease_owner = u.o, lease_until = u.l FROM unnest(?::bigint[],"
                            + " ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[]) AS u(a, o, l, r, s, i)"
                            + " WHERE work.run_id = u.r AND work.step_id = u.s AND work.iteration = u.i",
                    3,
                    new int[] {0, 1, 2, 3, 4, 5},
                    new String[] {"int8", "text", "int8", "text", "text", "int8"},
                    false),
            new SetForm(
                    JdbcWork.LEASE,
                    "UPDATE work SET lease_owner = u.o, lease_until = u.l FROM unnest(?::text[], ?::bigint[],"
                            + " ?::text[], ?::text[], ?::bigint[]) AS u(o, l, r, s, i)"
                            + " WHERE work.run_id = u.r AND work.step_id = u.s AND work.iteration = u.i",
                    2,
                    new int[] {0, 1, 2, 3, 4},
                    new String[] {"text", "int8", "text", "text", "int8"},
                    false),
            new SetForm(
                    JdbcWork.REMOVE_ENDED,
                    "WITH k AS (SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[])"
                            + " AS k(r, st, t, res, open)), w AS (DELETE FROM work USING k WHERE work.run_id = k.r),"
                            + " l AS (DELETE FROM loop_items USING k WHERE loop_items.run_id = k.r),"
                            + " a AS (DELETE FROM awaits USING k WHERE awaits.run_id = k.r)"
                            + " UPDATE tasks SET status = k.st, resolved_at = k.t, resolution = k.res FROM k"
                            + " WHERE tasks.run_id = k.r AND tasks.status = k.open",
                    0,
                    new int[] {0, 3, 4, 5, 7},
                    new String[] {"text", "text", "int8", "text", "text"},
                    false),
            new SetForm(
                    JdbcJournal.INSERT_NUMBERED,
                    "INSERT INTO journal (run_id, seq, type, at, subject, codec, payload, checksum, pos)"
                            + " SELECT r, s, t, a, su, co, p, ch, nextval('journal_pos') FROM unnest(?::text[],"
                            + " ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bytea[], ?::text[])"
                            + " AS j(r, s, t, a, su, co, p, ch)",
                    0,
                    new int[] {0, 1, 2, 3, 4, 5, 6, 7},
                    new String[] {"text", "int8", "text", "int8", "text", "text", "bytea", "text"},
                    true),
            new SetForm(
                    JdbcEvents.INSERT_NUMBERED,
                    "INSERT INTO events (seq, " + JdbcEvents.INSERTED + ") SELECT * FROM unnest(?::bigint[],"
                            + " ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[],"
                            + " ?::text[], ?::bytea[], ?::bigint[])",
                    1,
                    new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                    new String[] {
                        "int8", "text", "text", "text", "text", "int8", "text", "text", "text", "bytea", "int8"
                    },
                    true),
            new SetForm(
                    JdbcEvents.NOT_LOGGED,
                    "SELECT 1 / (e.seq - e.seq) FROM events e JOIN unnest(?::text[]) AS o(id) ON e.id = o.id",
                    0,
                    new int[] {0},
                    new String[] {"text"},
                    true));

    private SetForms() {}

    private static Map<String, SetForm> forms(SetForm... forms) {
        var map = new java.util.HashMap<String, SetForm>();
        for (var form : forms) {
            map.put(form.sql(), form);
        }
        return Map.copyOf(map);
    }

    /** {@code sql}'s many-row form, or null when it has none. */
    static SetForm of(String sql) {
        return FORMS.get(sql);
    }
}
