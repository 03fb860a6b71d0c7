package dev.aios.kernel.internal.store.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The tables of a module as all its migrations leave them, in one script: a database that has none
 * of the module's tables yet is created from it in one transaction instead of replaying each
 * migration (parsing every script and committing each on its own took a fifth of a start). The
 * script sits beside the module's migration folder, {@code db/migration} having {@code
 * db/migration-baseline.sql}; its header says the last migration it stands for ({@code -- version:
 * 11}) and which it covers ({@code -- covers: V1 journal and runs, …}); statements end with a line
 * holding only {@code ;}.
 *
 * <p>The module's Flyway history table is written as Flyway's own {@code baseline} writes it, so a
 * later version's migrations apply on top as usual, and a database made before this existed still
 * migrates step by step. A test regenerates each script from the migrations and fails when they
 * differ.
 */
record Baseline(int version, List<String> covers, List<String> statements) {
    /** The line that ends a statement. */
    static final String END = ";";

    Baseline {
        covers = List.copyOf(covers);
        statements = List.copyOf(statements);
    }

    /** The resource that holds the baseline of the migrations at {@code location} ({@code classpath:…}). */
    static String resource(String location) {
        return location.substring("classpath:".length()) + "-baseline.sql";
    }

    /** The baseline of the migrations at {@code location}, when it has one. */
    static Optional<Baseline> of(String location) {
        if (!location.startsWith("classpath:")) {
            return Optional.empty();
        }
        var loader = Baseline.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource(location))) {
            return in == null
                    ? Optional.empty()
                    : Optional.of(parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource(location) + ": " + e.getMessage(), e);
        }
    }

    /** Reads a baseline script: its header and its statements. */
    static Baseline parse(String text) {
        int version = -1;
        List<String> covers = List.of();
        var statements = new ArrayList<String>();
        var statement = new StringBuilder();
        for (var line : text.split("\n", -1)) {
            if (statement.isEmpty() && line.startsWith("-- version: ")) {
                version =
                        Integer.parseInt(line.substring("-- version: ".length()).strip());
            } else if (statement.isEmpty() && line.startsWith("-- covers: ")) {
                covers = Arrays.stream(line.substring("-- covers: ".length()).split(", "))
                        .map(String::strip)
                        .toList();
            } else if (line.equals(END)) {
                statements.add(statement.toString().strip());
                statement.setLength(0);
            } else if (!(statement.isEmpty() && (line.startsWith("--") || line.isBlank()))) {
                statement.append(line).append('\n');
            }
        }
        if (version < 0 || !statement.toString().isBlank()) {
            throw new IllegalStateException(
                    "a baseline script needs a '-- version: N' line and a line with only ;" + " after each statement");
        }
        return new Baseline(version, covers, statements);
    }

    /** Whether {@code connection}'s database has the history table {@code table}. */
    static boolean hasHistory(Connection connection, String table) throws SQLException {
        try (var statement =
                connection.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            statement.setString(1, table);
            try (var result = statement.executeQuery()) {
                return result.next();
            }
        }
    }

    /**
     * Creates the module's tables and its history table {@code table} in one transaction; nothing
     * is left behind when a statement fails.
     *
     * @return the migrations this stood for, e.g. {@code V1 journal and runs}
     */
    List<String> apply(Connection connection, String table) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (var statement = connection.createStatement()) {
            statement.execute(historyTable(table));
            statement.execute("CREATE INDEX \"" + table + "_s_idx\" ON \"" + table + "\" (\"success\")");
            for (var sql : statements) {
                statement.execute(sql);
            }
            statement.execute("INSERT INTO \"" + table + "\" (\"installed_rank\", \"version\", \"description\","
                    + " \"type\", \"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\")"
                    + " VALUES (1, '" + version + "', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>',"
                    + " NULL, '', 0, 1)");
            connection.commit();
            return covers;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /** Flyway's history table on SQLite, as Flyway itself creates it. */
    private static String historyTable(String table) {
        return "CREATE TABLE \"" + table + "\" (\n"
                + "    \"installed_rank\" INT NOT NULL PRIMARY KEY,\n"
                + "    \"version\" VARCHAR(50),\n"
                + "    \"description\" VARCHAR(200) NOT NULL,\n"
                + "    \"type\" VARCHAR(20) NOT NULL,\n"
                + "    \"script\" VARCHAR(1000) NOT NULL,\n"
                + "    \"checksum\" INT,\n"
                + "    \"installed_by\" VARCHAR(100) NOT NULL,\n"
                + "    \"installed_on\" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),\n"
                + "    \"execution_time\" INT NOT NULL,\n"
                + "    \"success\" BOOLEAN NOT NULL\n"
                + ")";
    }
}
