package dev.aios.kernel.internal.store.postgres;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.store.jdbc.JdbcTx;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;

/**
 * Extensions' tables in the PostgreSQL store: their writes join the writer's group commit. An
 * extension's PostgreSQL migrations sit beside its SQLite ones, in {@code <location>-postgresql}
 * (e.g. {@code db/memory-postgresql} beside {@code db/memory}).
 */
final class PostgresStorage implements Storage {
    private final PostgresStore store;

    PostgresStorage(PostgresStore store) {
        this.store = store;
    }

    @Override
    public <T> T write(Work<T> work) {
        return store.write(tx -> work.run(((JdbcTx) tx).handle()));
    }

    @Override
    public <T> T read(Work<T> work) {
        return store.read(tx -> work.run(((JdbcTx) tx).handle()));
    }

    @Override
    public void onCommitElsewhere(Runnable action) {
        store.onCommitElsewhere(action);
    }

    @Override
    public Handle.Dialect dialect() {
        return Handle.Dialect.POSTGRESQL;
    }

    @Override
    public java.util.List<String> migrate(String module, String location) {
        if (!module.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("module name '" + module + "' must be lower-case letters, digits and _");
        }
        String postgres = location + "-postgresql";
        if (postgres.startsWith("classpath:")) {
            var path = postgres.substring("classpath:".length());
            if (Thread.currentThread().getContextClassLoader().getResource(path) == null
                    && PostgresStorage.class.getClassLoader().getResource(path) == null) {
                throw new StorageException(
                        "the " + module + " module has no PostgreSQL tables yet (no migrations at " + postgres
                                + "); run aios on SQLite (leave out --db) or without that module",
                        null);
            }
        }
        try {
            return store.migrate(postgres, "flyway_" + module);
        } catch (RuntimeException e) {
            throw new StorageException("cannot migrate the tables of " + module + ": " + e.getMessage(), e);
        }
    }
}
