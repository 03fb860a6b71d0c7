package dev.aios.server.internal.cli;

import dev.aios.connectors.ConnectorsExtension;
import dev.aios.memory.MemoryExtension;
import dev.aios.models.ModelsExtension;
import dev.aios.policy.PolicyExtension;
import java.util.LinkedHashMap;
import java.util.Map;

/** The modules {@code aios up} runs with tables of their own, for the admin commands that handle tables. */
final class Modules {
    private Modules() {}

    /** Each module's Flyway migrations, by module name, in the order {@code aios up} applies them. */
    static final Map<String, String> MIGRATIONS;

    static {
        var migrations = new LinkedHashMap<String, String>();
        migrations.put(ModelsExtension.MODULE, ModelsExtension.MIGRATIONS);
        migrations.put(MemoryExtension.MODULE, MemoryExtension.MIGRATIONS);
        migrations.put(ConnectorsExtension.MODULE, ConnectorsExtension.MIGRATIONS);
        migrations.put(PolicyExtension.MODULE, PolicyExtension.MIGRATIONS);
        MIGRATIONS = java.util.Collections.unmodifiableMap(migrations);
    }

    /** Why aios does not back up a PostgreSQL database itself, and what to do instead. */
    static final String PG_DUMP = "aios backs up the SQLite file of a data directory; a PostgreSQL database is backed"
            + " up with PostgreSQL's own tools, which take one consistent snapshot while every node keeps"
            + " running: pg_dump --format=custom --file=aios.dump URL (restore with pg_restore into an empty"
            + " database), or continuous archiving for point-in-time recovery. Keep the master key (master.key or"
            + " $AIOS_MASTER_KEY) apart from the dump: the dump's sealed payloads cannot be read without it";
}
