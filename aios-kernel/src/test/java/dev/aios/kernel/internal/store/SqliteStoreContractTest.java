package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import org.junit.jupiter.api.Test;

/** The store contract on the embedded SQLite store, and what a store that owns its data directory does besides. */
class SqliteStoreContractTest extends StoreContract {
    @Override
    protected Store open() {
        return SqliteStore.open(dir.resolve("data"));
    }

    @Test
    void atStartEveryLeaseOfAnotherNodeIsLeftFromOneThatDied() {
        var mine = new WorkKey("r1", "a", 0);
        var left = new WorkKey("r2", "a", 0);
        store.write(tx -> {
            tx.work().add(new WorkItem(mine, WorkKind.STEP, T0, 0));
            tx.work().add(new WorkItem(left, WorkKind.STEP, T0, 0));
            tx.work().lease(mine, "node-me/1", T0.plusSeconds(900));
            tx.work().lease(left, "node-before/1", T0.plusSeconds(900));
            return null;
        });
        assertThat(store.write((Tx tx) -> tx.work().releaseAbandoned("node-me", T0)))
                .isEqualTo(1);
        assertThat(store.read((Tx tx) -> tx.work().holds(mine, "node-me/1"))).isTrue();
        assertThat(store.read((Tx tx) -> tx.work().holds(left, "node-before/1")))
                .isFalse();
    }
}
