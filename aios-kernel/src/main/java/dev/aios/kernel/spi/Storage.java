package dev.aios.kernel.spi;

/**
 * The kernel's database for an extension's own tables. Writes join the kernel's commits (and its
 * group commit); reads see one committed moment.
 *
 * <pre>{@code
 * long id = storage.write(h -> h.insert("INSERT INTO notes (text) VALUES (?)", text));
 * var texts = storage.read(h -> h.query("SELECT text FROM notes", r -> r.text("text")));
 * }</pre>
 */
public interface Storage {

    /** Work on a {@link Handle} inside a transaction the kernel owns. */
    @FunctionalInterface
    interface Work<T> {
        T run(Handle handle) throws Exception;
    }

    /** Runs {@code work} in the next commit and waits until it is durable; it is undone if it throws. */
    <T> T write(Work<T> work);

    /** Runs {@code work} in a read-only transaction. */
    <T> T read(Work<T> work);

    /** Which database the SQL runs on, for an extension that writes SQL for more than one. */
    Handle.Dialect dialect();

    /**
     * Brings the extension's tables up to date with its Flyway migrations at {@code location}
     * (e.g. {@code classpath:db/memory}), kept apart from the kernel's by {@code module}. On
     * PostgreSQL the migrations at {@code <location>-postgresql} are applied instead.
     *
     * @return the migrations applied now, e.g. {@code V2 ledger subject}; empty when the tables were
     *     up to date
     */
    java.util.List<String> migrate(String module, String location);

    /**
     * Calls {@code action} soon after another node commits to this database, so that an extension
     * following its tables (an index, a cache) catches up at once rather than at its next poll. Never
     * called for this node's own commits, nor on a database only one node uses (SQLite); a
     * notification may be lost while the connection is down, so a slow poll stays necessary.
     */
    default void onCommitElsewhere(Runnable action) {}
}
