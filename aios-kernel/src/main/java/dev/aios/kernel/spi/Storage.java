package dev.aios.kernel.spi;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The kernel's database for an extension's own tables. Writes join the kernel's group commit;
 * reads see one committed moment.
 */
public interface Storage {

    /** Work on a JDBC connection inside a transaction the kernel owns: do not commit or close it. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs {@code work} in the next group commit and waits until it is durable. */
    <T> T write(Work<T> work);

    /** Runs {@code work} on a read-only connection. */
    <T> T read(Work<T> work);

    /**
     * Brings the extension's tables up to date with its Flyway migrations at {@code location}
     * (e.g. {@code classpath:db/memory}), kept apart from the kernel's by {@code module}.
     */
    void migrate(String module, String location);
}
