package dev.aios.models.spi;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Spend limits beyond the gateway's own budgets, asked for before every call (so a change applies
 * to the next call): at most {@code usd} of model calls per {@code per}, for one agent, subject,
 * playbook or provider, or for each of them ({@code *}). A call whose estimate would pass one is not
 * made.
 */
@FunctionalInterface
public interface SpendLimits {

    /** The limits in force now. */
    List<Limit> limits();

    /** No limits. */
    SpendLimits NONE = List::of;

    /**
     * One limit.
     *
     * @param scope {@code agent}, {@code subject}, {@code playbook} or {@code connector} (the provider)
     * @param key the name it applies to, or {@code *} for each one separately
     * @param usd the most that may be spent in any window of {@code per}
     * @param per the window
     * @param name how the limit is named when a call is refused
     */
    record Limit(String scope, String key, BigDecimal usd, Duration per, String name) {
        public Limit {
            Objects.requireNonNull(usd, "usd");
            Objects.requireNonNull(per, "per");
            if (!List.of("agent", "subject", "playbook", "connector").contains(scope)) {
                throw new IllegalArgumentException(
                        "a spend limit is per agent, subject, playbook or connector, not '" + scope + "'");
            }
        }

        /** Whether it applies to {@code name}. */
        public boolean applies(String name) {
            return key.equals("*") || key.equals(name);
        }
    }
}
