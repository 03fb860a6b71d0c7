package dev.aios.kernel.internal.store;

import java.util.Optional;

/** The engine on the embedded SQLite store. */
class SqliteKernelContractTest extends KernelOnStoreContract {
    @Override
    protected Optional<String> newDatabase() {
        return Optional.empty();
    }
}
