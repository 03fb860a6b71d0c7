package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL (zonky's embedded binaries) for the tests of one class, a new database for each
 * test: {@code @RegisterExtension static final OnePostgres POSTGRES = new OnePostgres();}.
 */
final class OnePostgres implements BeforeAllCallback, AfterAllCallback {
    private EmbeddedPostgres postgres;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        postgres = EmbeddedPostgres.builder().start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        postgres.close();
    }

    /** A new, empty database whose name starts with {@code name}; its JDBC URL. */
    String newDatabase(String name) {
        var database = name + "_" + ProcessHandle.current().pid();
        try (var c = postgres.getPostgresDatabase().getConnection();
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return postgres.getJdbcUrl("postgres", database);
    }

    /** The number in the first column of the first row {@code sql} answers. */
    static long count(String url, String sql) throws SQLException {
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getLong(1);
        }
    }

    /** Runs {@code sql}, a change made from outside aios. */
    static void update(String url, String sql) throws SQLException {
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    /**
     * Makes {@code data} the data directory of another node of the database whose first node's is
     * its sibling {@code a}: every node of one database has the same master key.
     */
    static void sameMasterKey(Path data) throws IOException {
        Files.createDirectories(data);
        if (!data.endsWith("a") && !Files.exists(data.resolve("master.key"))) {
            Files.copy(data.resolveSibling("a").resolve("master.key"), data.resolve("master.key"));
        }
    }
}
