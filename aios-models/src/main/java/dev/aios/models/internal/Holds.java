package dev.aios.models.internal;

import dev.aios.api.BudgetExceeded;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The estimates held for model calls in flight, counted with the ledger whenever a call is checked
 * against its budgets, so that two calls cannot both spend the last dollar.
 *
 * <p>On SQLite one process owns the database (its data directory is locked), so the holds live in
 * its memory ({@link Local}): checking costs no write, and the holds of a killed process go with it;
 * a settled hold stops counting for exactly the checks that read its cost in the ledger.
 * On PostgreSQL several nodes spend against one ledger, so the holds are rows of {@code
 * models_spend_holds} ({@link Shared}), checked and taken in one transaction of the writer, under a
 * lock every node takes first. A row expires, so a node killed with -9 keeps no budget for long; the
 * node that holds it renews its expiry while the call is in flight (a call waiting on a rate limit or
 * retrying may outlive any expiry), so a hold ends only when its cost is in the ledger or its node is
 * dead.
 */
sealed interface Holds extends AutoCloseable permits Holds.Local, Holds.Shared {

    /** What calls in flight hold, by what the budgets count. */
    interface Held {
        long run(String runId);

        long agentOn(String agent, String day);

        long day(String day);

        /** Held by calls whose {@code column} (agent, subject, playbook or provider) is {@code value}. */
        long by(String column, String value);
    }

    /** Checks a call against the ledger (through the handle) and what is held: empty admits it. */
    @FunctionalInterface
    interface Check {
        Optional<BudgetExceeded> run(Handle handle, Held held);
    }

    /** An estimate held for one call: settled with its cost in the ledger, or released. */
    interface Hold extends AutoCloseable {
        /**
         * Deletes the hold in the transaction that enters the call's cost in the ledger.
         *
         * @return whether it is gone once that transaction commits; if not (or if that transaction
         *     fails), {@link #close} releases it
         */
        boolean settle(Handle handle);

        /** Releases the hold (the call is over and its cost, if any, is in the ledger). */
        @Override
        void close();
    }

    /**
     * Runs {@code check} and, when it admits the call, holds {@code nanos} for it until it is settled,
     * released or {@code expiry} has passed, in one step no other call of any node comes between.
     *
     * @throws BudgetExceeded what the check refused the call with
     */
    Hold take(Spending.Account account, long nanos, Duration expiry, Check check);

    /** Stops renewing this node's holds (the node is stopping); what they hold runs out with them. */
    @Override
    default void close() {}

    /** The holds for the database behind {@code storage}. */
    static Holds on(Storage storage, InstantSource clock) {
        return switch (storage.dialect()) {
            case SQLITE -> new Local(storage);
            case POSTGRESQL -> new Shared(storage, clock);
        };
    }

    /**
     * Holds in this process's memory, for a database only this process uses.
     *
     * <p>A hold settled by the transaction that enters its call's cost notes the ledger's last id in
     * that transaction (ids only grow); a check that reads the ledger as of that id or later finds the
     * cost there, so it no longer counts the hold, and a check that reads it as of an earlier id still
     * does. So no check counts a call twice or not at all, however its read and the commit interleave.
     */
    final class Local implements Holds {
        private static final String LAST_ID = "SELECT COALESCE(MAX(id), 0) FROM models_ledger";

        private final Storage storage;
        private final Map<String, Long> reserved = new HashMap<>();
        /** Holds settled by a ledger transaction that no check has yet seen committed. */
        private final Set<LocalHold> settling = ConcurrentHashMap.newKeySet();

        private final Held held = new Held() {
            @Override
            public long run(String runId) {
                return get("run:" + runId);
            }

            @Override
            public long agentOn(String agent, String day) {
                return get("agent:" + agent + ":" + day);
            }

            @Override
            public long day(String day) {
                return get("day:" + day);
            }

            @Override
            public long by(String column, String value) {
                return get(column + "=" + value);
            }
        };

        Local(Storage storage) {
            this.storage = storage;
        }

        @Override
        public synchronized Hold take(Spending.Account account, long nanos, Duration expiry, Check check) {
            var refusal = storage.read(h -> {
                long seen = h.count(LAST_ID);
                for (var hold : settling) {
                    if (hold.landedAt <= seen) {
                        hold.close();
                    }
                }
                return check.run(h, held);
            });
            if (refusal.isPresent()) {
                throw refusal.get();
            }
            var hold = new LocalHold(keys(account), nanos);
            add(hold.keys, nanos);
            return hold;
        }

        private synchronized void add(String[] keys, long nanos) {
            for (String key : keys) {
                reserved.merge(key, nanos, (a, b) -> a + b == 0 ? null : a + b);
            }
        }

        private long get(String key) {
            return reserved.getOrDefault(key, 0L);
        }

        private static String[] keys(Spending.Account account) {
            return new String[] {
                "run:" + account.runId(),
                "agent:" + account.agent() + ":" + account.day(),
                "day:" + account.day(),
                "agent=" + account.agent(),
                "subject=" + account.subject(),
                "playbook=" + account.playbook(),
                "provider=" + account.provider()
            };
        }

        private final class LocalHold implements Hold {
            private final String[] keys;
            private final long nanos;
            private final AtomicBoolean released = new AtomicBoolean();
            /** The ledger's last id in the settling transaction; counted until a check reads that far. */
            private volatile long landedAt = Long.MAX_VALUE;

            LocalHold(String[] keys, long nanos) {
                this.keys = keys;
                this.nanos = nanos;
            }

            @Override
            public boolean settle(Handle handle) {
                // Noted before the transaction commits, so any check that reads its rows sees the note.
                landedAt = handle.count(LAST_ID);
                settling.add(this);
                return true;
            }

            @Override
            public void close() {
                settling.remove(this);
                if (released.compareAndSet(false, true)) {
                    add(keys, -nanos);
                }
            }
        }
    }

    /** Holds as rows of the shared database, for nodes spending against one ledger. */
    final class Shared implements Holds {
        /** How often (in real time) this node looks for holds of its own due for renewal. */
        static final Duration TICK = Duration.ofSeconds(1);

        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Shared.class);

        private final Storage storage;
        private final InstantSource clock;
        /** This node's holds in flight, by id: each renewed once a quarter of its expiry has passed. */
        private final Map<String, Live> live = new java.util.concurrent.ConcurrentHashMap<>();

        private final java.util.concurrent.ScheduledExecutorService renewer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                        Thread.ofPlatform().name("aios-spend-holds").daemon().factory());

        /** A hold of this node in flight: how long it is held for, and when it was last (re)written. */
        private record Live(Duration expiry, java.time.Instant written) {}

        Shared(Storage storage, InstantSource clock) {
            this.storage = storage;
            this.clock = clock;
            renewer.scheduleWithFixedDelay(
                    this::renew, TICK.toMillis(), TICK.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            renewer.shutdownNow();
        }

        /**
         * Pushes back the expiry of every hold of this node whose call has been in flight for a quarter
         * of its expiry since it was last written, so that only a dead node's holds run out.
         */
        void renew() {
            var now = clock.instant();
            var due = new java.util.ArrayList<Map.Entry<String, Live>>();
            live.forEach((id, hold) -> {
                if (!now.isBefore(hold.written().plus(hold.expiry().dividedBy(4)))) {
                    due.add(Map.entry(id, hold));
                }
            });
            if (due.isEmpty()) {
                return;
            }
            try {
                storage.write(h -> {
                    for (var hold : due) {
                        h.update(
                                "UPDATE models_spend_holds SET expires_at = ? WHERE hold_id = ?",
                                now.plus(hold.getValue().expiry()),
                                hold.getKey());
                    }
                    return null;
                });
                // A hold settled or released meanwhile stays gone.
                due.forEach(hold -> live.replace(
                        hold.getKey(), hold.getValue(), new Live(hold.getValue().expiry(), now)));
            } catch (RuntimeException e) {
                // Tried again at the next tick, long before the holds run out.
                LOG.debug("spend holds not renewed", e);
            }
        }

        @Override
        public Hold take(Spending.Account account, long nanos, Duration expiry, Check check) {
            String id = UUID.randomUUID().toString();
            var now = clock.instant();
            var refusal = storage.write(h -> {
                // The kernel's writers already take turns across nodes; this lock keeps the check and
                // the hold one step on its own, whatever the writers do.
                h.count("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtext('aios.models.spend'))) AS spend");
                h.update("DELETE FROM models_spend_holds WHERE expires_at <= ?", now);
                var outcome = check.run(h, held(h));
                if (outcome.isEmpty()) {
                    h.update(
                            "INSERT INTO models_spend_holds (hold_id, run_id, agent, day, subject, playbook, provider,"
                                    + " nanos, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            id,
                            account.runId(),
                            account.agent(),
                            account.day(),
                            account.subject(),
                            account.playbook(),
                            account.provider(),
                            nanos,
                            now.plus(expiry));
                }
                return outcome;
            });
            if (refusal.isPresent()) {
                throw refusal.get();
            }
            live.put(id, new Live(expiry, now));
            return new Hold() {
                @Override
                public boolean settle(Handle handle) {
                    live.remove(id);
                    handle.update("DELETE FROM models_spend_holds WHERE hold_id = ?", id);
                    return true;
                }

                @Override
                public void close() {
                    live.remove(id);
                    storage.write(h -> h.update("DELETE FROM models_spend_holds WHERE hold_id = ?", id));
                }
            };
        }

        private static Held held(Handle h) {
            String sum = "SELECT COALESCE(SUM(nanos), 0) FROM models_spend_holds WHERE ";
            return new Held() {
                @Override
                public long run(String runId) {
                    return h.count(sum + "run_id = ?", runId);
                }

                @Override
                public long agentOn(String agent, String day) {
                    return h.count(sum + "agent = ? AND day = ?", agent, day);
                }

                @Override
                public long day(String day) {
                    return h.count(sum + "day = ?", day);
                }

                @Override
                public long by(String column, String value) {
                    return h.count(sum + Ledger.column(column) + " = ?", value);
                }
            };
        }
    }
}
