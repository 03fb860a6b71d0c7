package dev.aios.kernel.internal.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hears of the commits of other nodes: every writer's transaction sends {@code NOTIFY} on one
 * channel with its store's name, delivered when it commits; this store listens on its own
 * connection and tells its listeners of every notification that is not its own. Polling stays the
 * fallback: a notification lost while the connection is down only delays work until the next poll.
 *
 * <p>Forgets are heard on a channel of their own, with the count of forgets so far, by every node
 * (the forgetting one too); on every connection (a first one, or again after losing it) the count
 * is read from the database, since a forget may have committed while nobody listened.
 */
final class Notifications implements AutoCloseable {
    /** The channel every node of a database notifies and listens on. */
    static final String CHANNEL = "aios_commits";

    /** The channel on which a forget's transaction tells every node the count of forgets so far. */
    static final String FORGETS = "aios_forgets";

    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);

    private final DataSource source;
    private final String self;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final LongConsumer forgets;
    private final Runnable deaf;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Tells {@code forgets} of the count of forgets whenever it hears of one, once it {@link #start}s,
     * and {@code deaf} whenever it stops hearing (its connection broke): forgets may go unheard
     * until it connects again.
     */
    Notifications(DataSource source, String self, LongConsumer forgets, Runnable deaf) {
        this.source = source;
        this.self = self;
        this.forgets = forgets;
        this.deaf = deaf;
        this.thread = Thread.ofPlatform().name("aios-notifications").daemon().unstarted(this::listen);
    }

    /** Starts listening. */
    synchronized void start() {
        if (thread.getState() == Thread.State.NEW) {
            thread.start();
        }
    }

    /** Tells {@code listener} of the commits of other nodes from now on. */
    void add(Runnable listener) {
        listeners.add(listener);
        start();
    }

    /** The statement that tells the other nodes of this transaction's commit. */
    String notifyStatement() {
        return "NOTIFY " + CHANNEL + ", '" + self + "'";
    }

    private void listen() {
        while (!closed) {
            try (Connection c = source.getConnection()) {
                try (var st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL + "; LISTEN " + FORGETS);
                    // Listening from here on: what committed before is in the table.
                    try (var rs = st.executeQuery("SELECT forgets FROM writer_turns WHERE id = 1")) {
                        if (rs.next()) {
                            forgets.accept(rs.getLong(1));
                        }
                    }
                }
                var pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    var received = pg.getNotifications(1000);
                    if (received == null) {
                        continue;
                    }
                    boolean elsewhere = false;
                    for (var notification : received) {
                        if (notification.getName().equals(FORGETS)) {
                            forgets.accept(Long.parseLong(notification.getParameter()));
                        } else {
                            elsewhere |= !self.equals(notification.getParameter());
                        }
                    }
                    if (elsewhere) {
                        listeners.forEach(Notifications::runQuietly);
                    }
                }
            } catch (SQLException e) {
                deaf.run();
                if (!closed) {
                    LOG.warn("not hearing of other nodes' commits ({}); polling until it reconnects", e.getMessage());
                    pause();
                }
            }
        }
    }

    private static void runQuietly(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.warn("a listener of other nodes' commits failed", e);
        }
    }

    private void pause() {
        synchronized (this) {
            try {
                wait(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
