package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.internal.store.DerivedState;
import dev.aios.kernel.spi.Handle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The derived tables, row by row. */
final class JdbcDerived implements DerivedState {

    /**
     * The derived tables and how to list them; leases and how far awaits were checked are
     * coordination, not state. A run's stored JSON state is left out: it is a snapshot as of some
     * entry, which depends on when it was last written whole; the audit compares the runs' states
     * with the entries after it folded in.
     */
    private static final Map<String, String> TABLES = Map.of(
            "runs", "SELECT * FROM runs ORDER BY id",
            "work",
                    "SELECT run_id, step_id, iteration, kind, visible_at, attempt FROM work ORDER BY run_id, step_id, iteration",
            "awaits",
                    "SELECT run_id, step_id, iteration, event_type, subject, timeout_at FROM awaits"
                            + " ORDER BY run_id, step_id, iteration",
            "tasks", "SELECT * FROM tasks ORDER BY id",
            "receipts", "SELECT * FROM receipts ORDER BY effect_key",
            "snapshots", "SELECT * FROM snapshots ORDER BY run_id, seq",
            "loop_items", "SELECT * FROM loop_items ORDER BY run_id, block, idx");

    private final Handle handle;

    JdbcDerived(Handle handle) {
        this.handle = handle;
    }

    @Override
    public Map<String, Map<String, String>> rows(Set<String> excludedRuns) {
        var tables = new TreeMap<String, Map<String, String>>();
        for (var table : TABLES.entrySet()) {
            var rows = new TreeMap<String, String>();
            String runColumn = runColumn(table.getKey());
            handle.query(table.getValue(), r -> {
                var values = new ArrayList<String>();
                for (int i = 1; i <= r.columns(); i++) {
                    if (r.columnName(i).equals(runColumn) && excludedRuns.contains(String.valueOf(r.value(i)))) {
                        return null;
                    }
                    if (!leftOut(table.getKey(), r.columnName(i))) {
                        values.add(r.columnName(i) + "=" + r.value(i));
                    }
                }
                rows.put(values.subList(0, Math.min(3, values.size())).toString(), String.join(", ", values));
                return null;
            });
            tables.put(table.getKey(), Collections.unmodifiableMap(rows));
        }
        return tables;
    }

    @Override
    public void clear(Set<String> keptRuns) {
        for (String table : TABLES.keySet()) {
            String column = runColumn(table);
            if (keptRuns.isEmpty()) {
                handle.update("DELETE FROM " + table);
                continue;
            }
            var marks = String.join(", ", Collections.nCopies(keptRuns.size(), "?"));
            handle.update("DELETE FROM " + table + " WHERE " + column + " NOT IN (" + marks + ")", keptRuns.toArray());
        }
    }

    /** Whether the column is left out of the rows compared (see {@link #TABLES}). */
    private static boolean leftOut(String table, String column) {
        return table.equals("runs") && column.equalsIgnoreCase("state");
    }

    private static String runColumn(String table) {
        return table.equals("runs") ? "id" : "run_id";
    }
}
