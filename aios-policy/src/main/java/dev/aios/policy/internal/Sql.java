package dev.aios.policy.internal;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Row;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The statements every store of the policy needs, on the kernel's {@link Handle}; times are epoch
 * milliseconds. Rows are read through {@link Rs}, by column name or position.
 */
final class Sql {
    private Sql() {}

    /** Maps the current row. */
    @FunctionalInterface
    interface RowMapper<T> {
        T map(Rs row) throws SQLException;
    }

    /** The current row, read by column name or by position (1-based). */
    static final class Rs {
        private final Row row;
        private boolean wasNull;

        Rs(Row row) {
            this.row = row;
        }

        private Object at(int index) {
            var value = row.value(index);
            wasNull = value == null;
            return value;
        }

        private Object at(String column) {
            for (int i = 1; i <= row.columns(); i++) {
                if (row.columnName(i).equalsIgnoreCase(column)) {
                    return at(i);
                }
            }
            throw new IllegalArgumentException("no column " + column);
        }

        String getString(int index) {
            var value = at(index);
            return value == null ? null : value.toString();
        }

        String getString(String column) {
            var value = at(column);
            return value == null ? null : value.toString();
        }

        long getLong(int index) {
            return value(at(index)).longValue();
        }

        long getLong(String column) {
            return value(at(column)).longValue();
        }

        int getInt(String column) {
            return value(at(column)).intValue();
        }

        double getDouble(String column) {
            return value(at(column)).doubleValue();
        }

        double getDouble(int index) {
            return value(at(index)).doubleValue();
        }

        int getInt(int index) {
            return value(at(index)).intValue();
        }

        byte[] getBytes(int index) {
            var value = at(index);
            return value instanceof String text
                    ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : (byte[]) value;
        }

        Object getObject(int index) {
            return at(index);
        }

        boolean wasNull() {
            return wasNull;
        }

        private static Number value(Object value) {
            if (value == null) {
                return 0;
            }
            if (value instanceof Number number) {
                return number;
            }
            return Double.parseDouble(value.toString());
        }
    }

    static int update(Handle c, String sql, Object... args) {
        return c.update(sql, args);
    }

    /** Inserts a row and returns its generated key. */
    static long insert(Handle c, String sql, Object... args) {
        return c.insert(sql, args);
    }

    static <T> List<T> query(Handle c, String sql, RowMapper<T> mapper, Object... args) {
        return c.query(sql, row -> map(mapper, row, sql), args);
    }

    static <T> Optional<T> one(Handle c, String sql, RowMapper<T> mapper, Object... args) {
        return c.queryOne(sql, row -> map(mapper, row, sql), args);
    }

    static long count(Handle c, String sql, Object... args) {
        return c.count(sql, args);
    }

    /** {@code ?, ?, ?} for {@code n} parameters. */
    static String marks(int n) {
        return Handle.marks(n);
    }

    private static <T> T map(RowMapper<T> mapper, Row row, String sql) {
        try {
            return mapper.map(new Rs(row));
        } catch (SQLException e) {
            throw new StorageException("cannot read a row of " + sql + ": " + e.getMessage(), e);
        }
    }
}
