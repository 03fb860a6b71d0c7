package dev.aios.models.internal;

import dev.aios.api.BudgetExceeded;
import dev.aios.models.ModelSettings.Budgets;
import dev.aios.models.spi.SpendLimits;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Budgets enforced before a call: what the ledger holds, plus what calls in flight may still spend,
 * plus the new call's estimate, must stay within every limit that applies. Calls in flight hold a
 * reservation of their estimate until their cost is in the ledger, so that two steps cannot both
 * spend the last dollar.
 */
final class Spending {
    private final Budgets budgets;
    private final Ledger ledger;
    private final Map<String, Long> reserved = new HashMap<>();
    private final java.util.function.Supplier<SpendLimits> limits;
    private final java.time.InstantSource clock;

    Spending(
            Budgets budgets,
            Ledger ledger,
            java.util.function.Supplier<SpendLimits> limits,
            java.time.InstantSource clock) {
        this.budgets = budgets;
        this.ledger = ledger;
        this.limits = limits;
        this.clock = clock;
    }

    /** Who a call is charged to. */
    record Account(String runId, String agent, String day, String subject, String playbook, String provider) {
        /** The name a limit of {@code scope} counts this call under. */
        String name(String scope) {
            return switch (scope) {
                case "agent" -> agent;
                case "subject" -> subject;
                case "playbook" -> playbook;
                default -> provider;
            };
        }
    }

    /** Estimated cost held for a call in flight; release it once the cost is in the ledger. */
    final class Reservation implements AutoCloseable {
        private final Account account;
        private final long nanos;

        private Reservation(Account account, long nanos) {
            this.account = account;
            this.nanos = nanos;
        }

        @Override
        public void close() {
            synchronized (Spending.this) {
                for (String key : keys(account)) {
                    reserved.merge(key, -nanos, (a, b) -> a + b == 0 ? null : a + b);
                }
            }
        }
    }

    /**
     * Reserves {@code estimateNanos} for a call charged to {@code account}.
     *
     * @throws BudgetExceeded naming the first limit the call would pass, and by how much
     */
    synchronized Reservation reserve(Account account, long estimateNanos) {
        var spent = ledger.spent(account.runId(), account.agent(), account.day());
        var keys = keys(account);
        check("per-run", budgets.perRun(), spent.run() + held(keys[0]), estimateNanos);
        var agentLimit =
                Optional.ofNullable(budgets.agents().get(account.agent())).or(budgets::perAgent);
        check(
                "per-agent (" + account.agent() + ", per day)",
                agentLimit,
                spent.agentToday() + held(keys[1]),
                estimateNanos);
        check("per-day", budgets.perDay(), spent.today() + held(keys[2]), estimateNanos);
        var now = clock.instant();
        for (var limit : limits.get().limits()) {
            var name = account.name(limit.scope());
            if (!limit.applies(name) || (limit.scope().equals("subject") && name.isEmpty())) {
                continue;
            }
            var column = limit.scope().equals("connector") ? "provider" : limit.scope();
            check(
                    limit.name(),
                    Optional.of(limit.usd()),
                    ledger.spentSince(column, name, now.minus(limit.per())) + held(scopeKey(limit.scope(), name)),
                    estimateNanos);
        }
        for (String key : keys) {
            reserved.merge(key, estimateNanos, Long::sum);
        }
        return new Reservation(account, estimateNanos);
    }

    private long held(String key) {
        return reserved.getOrDefault(key, 0L);
    }

    private static void check(String limit, Optional<BigDecimal> usd, long spentNanos, long estimateNanos) {
        if (usd.isEmpty()) {
            return;
        }
        long limitNanos = PriceTable.nanos(usd.get());
        if (spentNanos + estimateNanos > limitNanos) {
            throw new BudgetExceeded(limit, usd.get(), PriceTable.usd(spentNanos), PriceTable.usd(estimateNanos));
        }
    }

    private static String[] keys(Account account) {
        return new String[] {
            "run:" + account.runId(),
            "agent:" + account.agent() + ":" + account.day(),
            "day:" + account.day(),
            scopeKey("agent", account.agent()),
            scopeKey("subject", account.subject()),
            scopeKey("playbook", account.playbook()),
            scopeKey("connector", account.provider())
        };
    }

    private static String scopeKey(String scope, String name) {
        return "limit:" + scope + ":" + name;
    }
}
