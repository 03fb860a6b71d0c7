package dev.aios.models.internal;

import dev.aios.api.BudgetExceeded;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The estimates held for model calls in flight, counted with the ledger whenever a call is checked
 * against its budgets, so that two calls cannot both spend the last dollar.
 *
 * <p>On SQLite one process owns the database (its data directory is locked), so the holds live in
 * its memory ({@link Local}): checking costs no write, and the holds of a killed process go with it.
 * On PostgreSQL several nodes spend against one ledger, so the holds are rows of {@code
 * models_spend_holds} ({@link Shared}), checked and taken in one transaction of the writer, under a
 * lock every node takes first; each expires, so a node killed with -9 keeps no budget for long.
 */
sealed interface Holds permits Holds.Local, Holds.Shared {

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

    /** The holds for the database behind {@code storage}. */
    static Holds on(Storage storage, InstantSource clock) {
        return switch (storage.dialect()) {
            case SQLITE -> new Local(storage);
            case POSTGRESQL -> new Shared(storage, clock);
        };
    }

    /** Holds in this process's memory, for a database only this process uses. */
    final class Local implements Holds {
        private final Storage storage;
        private final Map<String, Long> reserved = new HashMap<>();
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
            var refusal = storage.read(h -> check.run(h, held));
            if (refusal.isPresent()) {
                throw refusal.get();
            }
            var keys = keys(account);
            add(keys, nanos);
            return new Hold() {
                @Override
                public boolean settle(Handle handle) {
                    // Released once the ledger's transaction is durable, never before.
                    return false;
                }

                @Override
                public void close() {
                    add(keys, -nanos);
                }
            };
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
    }

    /** Holds as rows of the shared database, for nodes spending against one ledger. */
    final class Shared implements Holds {
        private final Storage storage;
        private final InstantSource clock;

        Shared(Storage storage, InstantSource clock) {
            this.storage = storage;
            this.clock = clock;
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
            return new Hold() {
                @Override
                public boolean settle(Handle handle) {
                    handle.update("DELETE FROM models_spend_holds WHERE hold_id = ?", id);
                    return true;
                }

                @Override
                public void close() {
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
