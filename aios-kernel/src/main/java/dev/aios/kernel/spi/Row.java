package dev.aios.kernel.spi;

import java.time.Instant;
import java.util.Optional;

/** The current row of a query, by column name. */
public interface Row {

    /** A text column; "" when NULL. */
    String text(String column);

    /** A text column that may be NULL. */
    Optional<String> optionalText(String column);

    /** An integer column; 0 when NULL. */
    long integer(String column);

    /** An integer column that may be NULL. */
    Optional<Long> optionalInteger(String column);

    /** A floating-point column; 0 when NULL. */
    double real(String column);

    /** A 0/1 column as a boolean. */
    boolean bool(String column);

    /** An epoch-millisecond column as an instant. */
    Instant instant(String column);

    /** An epoch-millisecond column that may be NULL. */
    Optional<Instant> optionalInstant(String column);

    /** A blob column; null when NULL. */
    byte[] bytes(String column);

    /** How many columns the row has. */
    int columns();

    /** The name of column {@code index} (1-based). */
    String columnName(int index);

    /** Column {@code index} (1-based) as the driver gives it, for generic comparisons. */
    Object value(int index);
}
