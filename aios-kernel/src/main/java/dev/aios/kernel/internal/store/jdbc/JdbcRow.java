package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.StorageException;
import dev.aios.kernel.spi.Row;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/** The current row of a JDBC result set. */
final class JdbcRow implements Row {
    private final ResultSet rs;

    JdbcRow(ResultSet rs) {
        this.rs = rs;
    }

    @FunctionalInterface
    private interface Read<T> {
        T read() throws SQLException;
    }

    private static <T> T get(Read<T> read) {
        try {
            return read.read();
        } catch (SQLException e) {
            throw new StorageException("cannot read a row: " + e.getMessage(), e);
        }
    }

    @Override
    public String text(String column) {
        return get(() -> {
            String value = rs.getString(column);
            return value == null ? "" : value;
        });
    }

    @Override
    public Optional<String> optionalText(String column) {
        return get(() -> Optional.ofNullable(rs.getString(column)));
    }

    @Override
    public long integer(String column) {
        return get(() -> rs.getLong(column));
    }

    @Override
    public Optional<Long> optionalInteger(String column) {
        return get(() -> {
            long value = rs.getLong(column);
            return rs.wasNull() ? Optional.empty() : Optional.of(value);
        });
    }

    @Override
    public double real(String column) {
        return get(() -> rs.getDouble(column));
    }

    @Override
    public boolean bool(String column) {
        return get(() -> rs.getLong(column) != 0);
    }

    @Override
    public Instant instant(String column) {
        return get(() -> Instant.ofEpochMilli(rs.getLong(column)));
    }

    @Override
    public Optional<Instant> optionalInstant(String column) {
        return get(() -> {
            long value = rs.getLong(column);
            return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(value));
        });
    }

    @Override
    public byte[] bytes(String column) {
        return get(() -> rs.getBytes(column));
    }

    @Override
    public int columns() {
        return get(() -> rs.getMetaData().getColumnCount());
    }

    @Override
    public String columnName(int index) {
        return get(() -> rs.getMetaData().getColumnName(index));
    }

    @Override
    public Object value(int index) {
        return get(() -> rs.getObject(index));
    }
}
