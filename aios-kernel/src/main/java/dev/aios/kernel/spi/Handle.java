package dev.aios.kernel.spi;

import java.util.List;
import java.util.Optional;

/**
 * SQL against the kernel's database inside a transaction the kernel owns: statements with {@code ?}
 * arguments, rows mapped by the caller. Do not commit, roll back or keep it beyond the work it was
 * handed to.
 *
 * <p>Arguments may be {@code null}, {@link String}, {@link Long}, {@link Integer}, {@link Double},
 * {@link Boolean} (stored as 0 or 1), {@link java.time.Instant} (stored as epoch milliseconds),
 * {@code byte[]}, an {@link Optional} of one of these, or an enum with a {@code wire()} name
 * (stored as that name). Failures are thrown as {@link dev.aios.kernel.StorageException}.
 */
public interface Handle {

    /** Runs an INSERT, UPDATE or DELETE; returns the number of rows changed. */
    int update(String sql, Object... args);

    /** Runs an INSERT and returns the key the database generated for the new row. */
    long insert(String sql, Object... args);

    /** Runs a query and maps every row. */
    <T> List<T> query(String sql, RowMapper<T> mapper, Object... args);

    /** Runs a query and maps its first row, if any. */
    <T> Optional<T> queryOne(String sql, RowMapper<T> mapper, Object... args);

    /** Runs a query whose first column of the first row is a number; 0 when there is no row. */
    long count(String sql, Object... args);

    /** Which database the SQL runs on. */
    Dialect dialect();

    /** {@code ?, ?, ?} for {@code n} arguments, e.g. for an {@code IN} list. */
    static String marks(int n) {
        return String.join(", ", java.util.Collections.nCopies(n, "?"));
    }

    /** Maps the current row to a value. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(Row row);
    }

    /** The databases the kernel runs on. */
    enum Dialect {
        SQLITE,
        POSTGRESQL
    }
}
