package dev.aios.kernel.internal.store.sqlite;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;

/** Extensions' tables in the SQLite store: their writes join the writer's group commit. */
final class SqliteStorage implements Storage {
    private final SqliteStore store;

    SqliteStorage(SqliteStore store) {
        this.store = store;
    }

    @Override
    public <T> T write(Work<T> work) {
        return store.write(tx -> work.run(((SqliteTx) tx).handle()));
    }

    @Override
    public <T> T read(Work<T> work) {
        return store.read(tx -> work.run(((SqliteTx) tx).handle()));
    }

    @Override
    public Handle.Dialect dialect() {
        return Handle.Dialect.SQLITE;
    }

    @Override
    public java.util.List<String> migrate(String module, String location) {
        if (!module.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("module name '" + module + "' must be lower-case letters, digits and _");
        }
        try {
            return store.migrate(location, "flyway_" + module);
        } catch (RuntimeException e) {
            throw new StorageException("cannot migrate the tables of " + module + ": " + e.getMessage(), e);
        }
    }
}
