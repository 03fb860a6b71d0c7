package dev.aios.kernel;

import java.util.List;
import java.util.Map;

/**
 * What {@link Admin#migrate} did to a database.
 *
 * @param database where the tables are: the SQLite file, or the PostgreSQL URL without credentials
 * @param applied the migrations applied, by module ({@code kernel} first, then the extensions in the
 *     order given), e.g. {@code V2 ledger subject}; a module with an empty list was up to date
 */
public record MigrateReport(String database, Map<String, List<String>> applied) {
    public MigrateReport {
        applied = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(applied));
    }

    /** How many migrations were applied in all. */
    public int count() {
        return applied.values().stream().mapToInt(List::size).sum();
    }
}
