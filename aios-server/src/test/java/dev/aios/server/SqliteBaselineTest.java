package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.internal.store.jdbc.Migrations;
import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import dev.aios.memory.MemoryExtension;
import dev.aios.models.ModelsExtension;
import dev.aios.policy.PolicyExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * A new SQLite database gets each module's tables from one baseline script instead of replaying
 * every migration; these tests hold the scripts to the migrations. When a migration is added or
 * changed, the first test writes the scripts anew under {@code target/baselines} and says where to
 * copy them.
 */
class SqliteBaselineTest {
    /** Module name, its migrations, its history table, and the Maven module whose resources hold them. */
    record Module(String name, String location, String history, String sources) {}

    static final List<Module> MODULES = List.of(
            new Module("kernel", "classpath:db/migration", "flyway_schema_history", "aios-kernel"),
            new Module(ModelsExtension.MODULE, ModelsExtension.MIGRATIONS, "flyway_models", "aios-models"),
            new Module(MemoryExtension.MODULE, MemoryExtension.MIGRATIONS, "flyway_memory", "aios-memory"),
            new Module(
                    ConnectorsExtension.MODULE, ConnectorsExtension.MIGRATIONS, "flyway_connectors", "aios-connectors"),
            new Module(PolicyExtension.MODULE, PolicyExtension.MIGRATIONS, "flyway_policy", "aios-policy"));

    @Test
    void everyBaselineScriptIsTheSchemaItsMigrationsLeave(@TempDir Path directory) throws Exception {
        var stale = new ArrayList<String>();
        for (var entry : stepByStep(directory.resolve("step-by-step.db")).entrySet()) {
            var module = entry.getKey();
            var resource = module.location().substring("classpath:".length()) + "-baseline.sql";
            if (!entry.getValue().equals(resource(resource))) {
                var target = Path.of("target", "baselines", module.sources(), "src/main/resources", resource);
                Files.createDirectories(target.getParent());
                Files.writeString(target, entry.getValue());
                stale.add(module.name() + ": copy aios-server/" + target + " to " + module.sources()
                        + "/src/main/resources/" + resource);
            }
        }
        assertThat(stale)
                .as("baseline scripts that no longer match their migrations (the new ones are written)")
                .isEmpty();
    }

    @Test
    void aNewDataDirectoryGetsTheSameTablesAsOneMigratedStepByStep(@TempDir Path directory) throws Exception {
        stepByStep(directory.resolve("step-by-step.db"));
        var data = directory.resolve("data");
        Files.createDirectories(data);

        var applied = new LinkedHashMap<String, List<String>>();
        try (var store = SqliteStore.open(data)) {
            applied.put("kernel", store.migrated());
            for (var module : MODULES.subList(1, MODULES.size())) {
                applied.put(module.name(), store.extensions().migrate(module.name(), module.location()));
            }
        }

        assertThat(schema(directory.resolve("data/aios.db"))).isEqualTo(schema(directory.resolve("step-by-step.db")));
        assertThat(applied.get("kernel")).startsWith("V1 journal and runs", "V2 receipts and snapshots");
        assertThat(applied.get("models")).containsExactly("V1 ledger and cache", "V2 ledger subject");
        for (var module : MODULES) {
            var flyway = flyway(directory.resolve("data/aios.db"), module.location(), module.history());
            flyway.validate();
            assertThat(flyway.info().pending()).as(module.name()).isEmpty();
        }
    }

    @Test
    void aDatabaseMadeBeforeBaselinesStillMigratesStepByStep(@TempDir Path directory) throws Exception {
        stepByStep(directory.resolve("step-by-step.db"));
        var data = directory.resolve("data");
        Files.createDirectories(data);
        Flyway.configure()
                .dataSource(dataSource(data.resolve("aios.db")))
                .locations("classpath:db/migration")
                .target("5")
                .load()
                .migrate();

        List<String> applied;
        try (var store = SqliteStore.open(data)) {
            applied = store.migrated();
            for (var module : MODULES.subList(1, MODULES.size())) {
                store.extensions().migrate(module.name(), module.location());
            }
        }

        assertThat(applied).first().isEqualTo("V6 loop items");
        assertThat(applied).doesNotContain("V5 runs by trigger");
        assertThat(schema(data.resolve("aios.db"))).isEqualTo(schema(directory.resolve("step-by-step.db")));
    }

    @Test
    void aLaterVersionsMigrationAppliesOnTopOfABaseline(@TempDir Path directory) throws Exception {
        var data = directory.resolve("data");
        Files.createDirectories(data);
        try (var store = SqliteStore.open(data)) {
            assertThat(store.migrated()).isNotEmpty();
        }
        // The kernel's migrations as a later version would ship them: all of today's, and one more.
        var later = directory.resolve("later");
        Files.createDirectories(later);
        var kernelSources = Path.of("..", "aios-kernel", "src", "main", "resources", "db", "migration");
        try (var scripts = Files.list(kernelSources)) {
            for (var script : scripts.toList()) {
                Files.copy(script, later.resolve(script.getFileName()));
            }
        }
        Files.writeString(later.resolve("V99__later_things.sql"), "CREATE TABLE later_things (id INTEGER);\n");

        var result = flyway(data.resolve("aios.db"), "filesystem:" + later, "flyway_schema_history")
                .migrate();

        assertThat(Migrations.applied(result)).containsExactly("V99 later things");
    }

    /**
     * Migrates a new database at {@code file} the old way, migration by migration, module after
     * module as {@code aios up} does, and returns each module's baseline script as it should read.
     */
    private static Map<Module, String> stepByStep(Path file) throws SQLException {
        var scripts = new LinkedHashMap<Module, String>();
        for (var module : MODULES) {
            var before = definitions(file);
            var rowsBefore = rows(file);
            var result = Flyway.configure()
                    .dataSource(dataSource(file))
                    .locations(module.location())
                    .table(module.history())
                    .baselineOnMigrate(!module.name().equals("kernel"))
                    .baselineVersion("0")
                    .load()
                    .migrate();
            var after = definitions(file);
            assertThat(after.subList(0, before.size()))
                    .as(module.name() + " changes no other module's tables")
                    .isEqualTo(before);
            var statements = new ArrayList<>(after.subList(before.size(), after.size()));
            var rows = new ArrayList<>(rows(file));
            rowsBefore.forEach(rows::remove);
            statements.addAll(rows);
            var covers = Migrations.applied(result);
            var text = new StringBuilder();
            text.append("-- The tables of ")
                    .append(module.name())
                    .append(" as its migrations leave them: a new database gets them from this one script\n")
                    .append("-- instead of replaying each migration. SqliteBaselineTest (aios-server) checks it")
                    .append(" against the\n-- migrations and writes it anew when they change.\n")
                    .append("-- version: ")
                    .append(result.targetSchemaVersion)
                    .append('\n')
                    .append("-- covers: ")
                    .append(String.join(", ", covers))
                    .append('\n');
            statements.forEach(sql -> text.append('\n').append(sql).append("\n;\n"));
            scripts.put(module, text.toString());
        }
        return scripts;
    }

    /**
     * The schema of the database at {@code file} in creation order, then its rows, as statements
     * that make them again; Flyway's history tables left out.
     */
    private static List<String> schema(Path file) throws SQLException {
        var statements = new ArrayList<>(definitions(file));
        statements.addAll(rows(file));
        return statements;
    }

    /** The tables, indexes, views and triggers of the database at {@code file}, in creation order. */
    private static List<String> definitions(Path file) throws SQLException {
        var statements = new ArrayList<String>();
        try (var connection = dataSource(file).getConnection();
                var statement = connection.createStatement();
                var result = statement.executeQuery("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                        + " AND name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE 'flyway_%' ORDER BY rowid")) {
            while (result.next()) {
                statements.add(result.getString("sql"));
            }
        }
        return statements;
    }

    /** The rows of every table of the database at {@code file}, as statements that insert them. */
    private static List<String> rows(Path file) throws SQLException {
        var tables = new ArrayList<String>();
        var rows = new ArrayList<String>();
        try (var connection = dataSource(file).getConnection()) {
            try (var statement = connection.createStatement();
                    var result = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                            + " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'flyway_%' ORDER BY rowid")) {
                while (result.next()) {
                    tables.add(result.getString("name"));
                }
            }
            for (var table : tables) {
                rows.addAll(rows(connection, table));
            }
        }
        return rows;
    }

    private static List<String> rows(Connection connection, String table) throws SQLException {
        var columns = new ArrayList<String>();
        try (var statement = connection.createStatement();
                var result = statement.executeQuery("PRAGMA table_info(\"" + table + "\")")) {
            while (result.next()) {
                columns.add("quote(\"" + result.getString("name") + "\")");
            }
        }
        var rows = new ArrayList<String>();
        try (var statement = connection.createStatement();
                var result = statement.executeQuery(
                        "SELECT " + String.join(" || ', ' || ", columns) + " FROM \"" + table + "\"")) {
            while (result.next()) {
                rows.add("INSERT INTO \"" + table + "\" VALUES (" + result.getString(1) + ")");
            }
        }
        rows.sort(null);
        return rows;
    }

    private static Flyway flyway(Path file, String location, String history) {
        return Flyway.configure()
                .dataSource(dataSource(file))
                .locations(location)
                .table(history)
                .load();
    }

    private static SQLiteDataSource dataSource(Path file) {
        var source = new SQLiteDataSource();
        source.setUrl("jdbc:sqlite:" + file);
        return source;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SqliteBaselineTest.class.getClassLoader().getResourceAsStream(name)) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
