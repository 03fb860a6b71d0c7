package dev.aios.kernel.internal.store;

import dev.aios.kernel.internal.store.sqlite.SqliteStore;

/** The store contract on the embedded SQLite store. */
class SqliteStoreContractTest extends StoreContract {
    @Override
    protected Store open() {
        return SqliteStore.open(dir.resolve("data"));
    }
}
