package dev.aios.kernel;

import java.util.List;
import java.util.Map;

/**
 * What {@link Admin#copyToPostgres} copied from a SQLite installation into PostgreSQL.
 *
 * @param source the SQLite file copied
 * @param target the PostgreSQL URL, without credentials
 * @param migrated the migrations applied to the target before the copy, by module ({@code kernel}
 *     first), as in {@link MigrateReport#applied()}
 * @param rows the rows copied, by table, in the order copied
 * @param absentModules the modules whose tables the installation never had (it never ran with them):
 *     their tables in PostgreSQL stay empty
 */
public record CopyReport(
        String source,
        String target,
        Map<String, List<String>> migrated,
        Map<String, Long> rows,
        List<String> absentModules) {
    public CopyReport {
        migrated = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(migrated));
        rows = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rows));
        absentModules = List.copyOf(absentModules);
    }

    /** How many rows were copied in all. */
    public long total() {
        return rows.values().stream().mapToLong(Long::longValue).sum();
    }
}
