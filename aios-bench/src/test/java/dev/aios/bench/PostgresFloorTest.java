package dev.aios.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The floor's three shapes write the same rows, the rows a node's writer writes for five-step runs. */
class PostgresFloorTest {
    @TempDir
    static Path dir;

    private static EmbeddedPostgres server;

    @BeforeAll
    static void start() throws Exception {
        server = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(true)
                .start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyShapeWritesTheRowsOfFiveStepRunsAndTheSameRows() throws Exception {
        var summaries = new ArrayList<List<Long>>();
        for (var shape : PostgresFloor.Shape.values()) {
            String url = database("floor_" + shape.name().toLowerCase(java.util.Locale.ROOT));
            try (var c = DriverManager.getConnection(url)) {
                var floor = new PostgresFloor(url, Map::of);
                floor.prepare(c);
                long steps = floor.write(c, shape, Long.MAX_VALUE, 20);
                assertThat(steps).isEqualTo(20 * 38);

                long completed = count(c, "SELECT COUNT(*) FROM runs WHERE status = 'completed'");
                long running = count(c, "SELECT COUNT(*) FROM runs WHERE status = 'running'");
                assertThat(completed).as(shape + ": runs completed").isEqualTo(completedAfter(20 * 38));
                assertThat(running).as(shape + ": the runs in flight").isEqualTo(64);
                assertThat(count(c, "SELECT COUNT(*) FROM events"))
                        .as(shape + ": an event a run")
                        .isEqualTo(completed + running);
                assertThat(count(
                                c,
                                "SELECT COUNT(*) FROM journal j JOIN runs r ON r.id = j.run_id"
                                        + " WHERE r.status = 'completed'"))
                        .as(shape + ": 17 journal rows a completed run")
                        .isEqualTo(17 * completed);
                assertThat(count(c, "SELECT COUNT(*) FROM work w JOIN runs r ON r.id = w.run_id"))
                        .as(shape + ": one leased work row a run in flight, none for a completed run")
                        .isEqualTo(count(
                                c,
                                "SELECT COUNT(*) FROM work w JOIN runs r ON r.id = w.run_id"
                                        + " WHERE r.status = 'running' AND w.lease_owner IS NOT NULL"))
                        .isEqualTo(running);
                summaries.add(List.of(
                        completed,
                        count(c, "SELECT COUNT(*) FROM journal"),
                        count(c, "SELECT COALESCE(SUM(last_seq), 0) FROM runs"),
                        count(c, "SELECT COUNT(DISTINCT pos) FROM journal")));
            }
        }
        assertThat(summaries).as("the same rows in every shape").containsOnly(summaries.getFirst());
    }

    /**
     * The runs completed after {@code steps}: the first 64 start the runs in flight, then each run in
     * turn moves on a step, and every fifth step of a run ends it (and starts the next in its place).
     */
    private static long completedAfter(int steps) {
        int visits = steps - 64;
        long completed = 0;
        for (int run = 0; run < 64; run++) {
            completed += (visits / 64 + (run < visits % 64 ? 1 : 0)) / 5;
        }
        return completed;
    }

    private static String database(String name) throws SQLException {
        try (var c = server.getPostgresDatabase().getConnection();
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        return server.getJdbcUrl("postgres", name);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
