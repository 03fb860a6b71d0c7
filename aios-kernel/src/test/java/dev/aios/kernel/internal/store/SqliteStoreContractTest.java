package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.aios.kernel.StorageException;
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
        String url = schemaAt(data, "11");
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

    @Test
    void aJournalWrittenBeforeItWasNumberedByPositionKeepsItsEntriesAndFeed(@TempDir Path older) throws Exception {
        Path data = older.resolve("data");
        String url = schemaAt(data, "12");
        try (var connection = DriverManager.getConnection(url);
                var statement = connection.createStatement()) {
            // Entries from before the feed (position 0, never delivered), then two runs' numbered ones.
            statement.executeUpdate("INSERT INTO journal (run_id, seq, type, at, subject, codec, payload, checksum,"
                    + " pos) VALUES ('r-a', 1, 'RunStarted', 1, 'acme', 'plain', x'01', 'c1', 0),"
                    + " ('r-a', 2, 'StepScheduled', 2, 'acme', 'plain', x'02', 'c2', 0),"
                    + " ('r-b', 1, 'RunStarted', 3, 'acme', 'plain', x'03', 'c3', 1),"
                    + " ('r-a', 3, 'StepStarted', 4, 'acme', 'plain', x'04', 'c4', 2),"
                    + " ('r-b', 2, 'StepScheduled', 5, 'acme', 'plain', x'05', 'c5', 3)");
        }
        try (var migrated = SqliteStore.open(data)) {
            assertThat(migrated.read((Tx tx) -> tx.journal().entries("r-a", 0)))
                    .extracting(StoredEntry::seq, StoredEntry::checksum)
                    .containsExactly(tuple(1L, "c1"), tuple(2L, "c2"), tuple(3L, "c4"));
            assertThat(migrated.read((Tx tx) -> tx.journal().after(0, 10)))
                    .extracting(
                            p -> p.position(),
                            p -> p.entry().runId() + "/" + p.entry().seq())
                    .containsExactly(tuple(1L, "r-b/1"), tuple(2L, "r-a/3"), tuple(3L, "r-b/2"));
            long next = migrated.write((Tx tx) -> tx.journal()
                    .append(new StoredEntry("r-b", 3, "StepStarted", T0, "acme", "plain", new byte[] {6}, "c6")));
            assertThat(next).isEqualTo(4);
            assertThat(migrated.read((Tx tx) -> tx.journal().after(3, 10)))
                    .extracting(p -> p.entry().checksum())
                    .containsExactly("c6");
            assertThatThrownBy(() -> migrated.write((Tx tx) -> tx.journal()
                            .append(new StoredEntry(
                                    "r-a", 2, "StepStarted", T0, "acme", "plain", new byte[] {7}, "c7"))))
                    .isInstanceOf(RuntimeException.class);
            assertThat(migrated.read((Tx tx) -> tx.journal().entries("r-a", 1)))
                    .extracting(StoredEntry::checksum)
                    .containsExactly("c2", "c4");
        }
    }

    @Test
    void aDatabaseOneMigrationBehindIsMigratedAtStartAndACurrentOneIsLeftAsItIs(@TempDir Path older) throws Exception {
        Path data = older.resolve("data");
        schemaAt(data, "12");
        try (var migrated = SqliteStore.open(data)) {
            assertThat(migrated.migrated()).contains("V13 journal by position", "V14 work due free or lease over");
        }
        try (var again = SqliteStore.open(data)) {
            assertThat(again.migrated()).isEmpty();
        }
    }

    @Test
    void aHistoryWhoseChecksumNoLongerMatchesItsMigrationIsRefused(@TempDir Path older) throws Exception {
        Path data = older.resolve("data");
        String url = schemaAt(data, "latest");
        try (var connection = DriverManager.getConnection(url);
                var statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '4'");
        }
        assertThatThrownBy(() -> SqliteStore.open(data).close())
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("checksum mismatch");
    }

    /** A data directory whose database has the schema of migration {@code target}; its JDBC URL. */
    private static String schemaAt(Path data, String target) throws java.io.IOException {
        Files.createDirectories(data);
        String url = "jdbc:sqlite:" + data.resolve(SqliteStore.FILE);
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .target(target)
                .load()
                .migrate();
        return url;
    }
}
