package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded SQLite store, and what a store that owns its data directory does besides. */
class SqliteStoreContractTest extends StoreContract {
    @Override
    protected Store open() {
        return SqliteStore.open(dir.resolve("data"));
    }

    @Override
    protected Store reopen() {
        store.close();
        return open();
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

    @Test
    void aRunStartedBeforeItsTriggerHadAColumnIsStillFoundByItsEvent(@TempDir Path older) throws Exception {
        Path data = older.resolve("data");
        Files.createDirectories(data);
        String url = "jdbc:sqlite:" + data.resolve(SqliteStore.FILE);
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .target("11")
                .load()
                .migrate();
        try (var connection = DriverManager.getConnection(url);
                var statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO runs (id, playbook, version, subject, status, created_at,"
                    + " updated_at, last_seq, last_checksum, state) VALUES ('r-old', 'onboarding', '1', 'acme',"
                    + " 'running', 0, 0, 1, '', '{\"id\":\"r-old\",\"trigger\":{\"id\":\"ev-old\"}}')");
        }
        try (var migrated = SqliteStore.open(data)) {
            assertThat(migrated.read((Tx tx) -> tx.runs().startedBy("ev-old", "onboarding")))
                    .containsExactly("r-old");
            assertThat(migrated.read((Tx tx) -> tx.runs().startedBy("ev-new", "onboarding")))
                    .isEmpty();
        }
    }
}
