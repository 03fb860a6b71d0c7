package dev.aios.models.internal;

import dev.aios.api.BudgetExceeded;
import dev.aios.kernel.spi.Handle;
import dev.aios.models.ModelSettings.Budgets;
import dev.aios.models.spi.SpendLimits;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Budgets enforced before a call: what the ledger holds, plus what calls in flight may still spend,
 * plus the new call's estimate, must stay within every limit that applies. Calls in flight hold their
 * estimate ({@link Holds}) until their cost is in the ledger, so that two steps, on one node or on
 * several sharing a database, cannot both spend the last dollar.
 */
final class Spending implements AutoCloseable {
    private final Budgets budgets;
    private final Holds holds;
    private final Supplier<SpendLimits> limits;
    private final InstantSource clock;

    Spending(Budgets budgets, Holds holds, Supplier<SpendLimits> limits, InstantSource clock) {
        this.budgets = budgets;
        this.holds = holds;
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

    /**
     * Holds {@code estimateNanos} for a call charged to {@code account}, for at most {@code expiry}
     * (longer than the call can take).
     *
     * @throws BudgetExceeded naming the first limit the call would pass, and by how much
     */
    Holds.Hold reserve(Account account, long estimateNanos, Duration expiry) {
        return holds.take(account, estimateNanos, expiry, (h, held) -> check(h, held, account, estimateNanos));
    }

    /** Stops renewing this node's holds: the node is stopping. */
    @Override
    public void close() {
        holds.close();
    }

    private Optional<BudgetExceeded> check(Handle h, Holds.Held held, Account account, long estimateNanos) {
        var spent = Ledger.spent(h, account.runId(), account.agent(), account.day());
        var agentLimit =
                Optional.ofNullable(budgets.agents().get(account.agent())).or(budgets::perAgent);
        var refusal = check("per-run", budgets.perRun(), spent.run() + held.run(account.runId()), estimateNanos)
                .or(() -> check(
                        "per-agent (" + account.agent() + ", per day)",
                        agentLimit,
                        spent.agentToday() + held.agentOn(account.agent(), account.day()),
                        estimateNanos))
                .or(() -> check("per-day", budgets.perDay(), spent.today() + held.day(account.day()), estimateNanos));
        if (refusal.isPresent()) {
            return refusal;
        }
        var now = clock.instant();
        for (var limit : limits.get().limits()) {
            var name = account.name(limit.scope());
            if (!limit.applies(name) || (limit.scope().equals("subject") && name.isEmpty())) {
                continue;
            }
            var column = limit.scope().equals("connector") ? "provider" : limit.scope();
            refusal = check(
                    limit.name(),
                    Optional.of(limit.usd()),
                    Ledger.spentSince(h, column, name, now.minus(limit.per())) + held.by(column, name),
                    estimateNanos);
            if (refusal.isPresent()) {
                return refusal;
            }
        }
        return Optional.empty();
    }

    private static Optional<BudgetExceeded> check(
            String limit, Optional<BigDecimal> usd, long spentNanos, long estimateNanos) {
        if (usd.isEmpty()) {
            return Optional.empty();
        }
        long limitNanos = PriceTable.nanos(usd.get());
        if (spentNanos + estimateNanos > limitNanos) {
            return Optional.of(
                    new BudgetExceeded(limit, usd.get(), PriceTable.usd(spentNanos), PriceTable.usd(estimateNanos)));
        }
        return Optional.empty();
    }
}
