package dev.aios.kernel.internal.store.jdbc;

import java.util.List;
import org.flywaydb.core.api.output.MigrateResult;

/** What a Flyway migration run applied, in the operator's words. */
public final class Migrations {
    private Migrations() {}

    /** The migrations {@code result} applied, e.g. {@code V2 ledger subject}; empty when all were there. */
    public static List<String> applied(MigrateResult result) {
        return result.migrations.stream()
                .map(m -> (m.version == null || m.version.isEmpty() ? "R" : "V" + m.version) + " " + m.description)
                .toList();
    }
}
