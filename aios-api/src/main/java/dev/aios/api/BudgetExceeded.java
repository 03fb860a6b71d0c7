package dev.aios.api;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * Thrown by {@link Models#complete} instead of making a call whose estimated cost would pass a
 * budget: nothing was sent. It is a {@link PermanentFailure}, so the step is not retried; prompt
 * agents turn it into an operator task holding a draft.
 */
public class BudgetExceeded extends PermanentFailure {
    private static final long serialVersionUID = 1L;

    private final String limit;
    private final BigDecimal limitUsd;
    private final BigDecimal spentUsd;
    private final BigDecimal estimateUsd;

    /**
     * @param limit which budget, e.g. {@code per-run}, {@code per-agent draft-proposal per day}, {@code
     *     per-day}
     * @param limitUsd the budget in US dollars
     * @param spentUsd what was already spent against it
     * @param estimateUsd what the call was estimated to cost
     */
    public BudgetExceeded(String limit, BigDecimal limitUsd, BigDecimal spentUsd, BigDecimal estimateUsd) {
        super("the model call was not made: its estimated cost of $" + plain(estimateUsd) + " would pass the "
                + limit + " budget of $" + plain(limitUsd) + " by $"
                + plain(spentUsd.add(estimateUsd).subtract(limitUsd)) + " ($" + plain(spentUsd)
                + " already spent); raise the budget in aios.yaml (models.budgets) or write the output yourself");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.limitUsd = limitUsd;
        this.spentUsd = spentUsd;
        this.estimateUsd = estimateUsd;
    }

    /** Which budget would be passed. */
    public String limit() {
        return limit;
    }

    /** The budget, in US dollars. */
    public BigDecimal limitUsd() {
        return limitUsd;
    }

    /** What was already spent against it. */
    public BigDecimal spentUsd() {
        return spentUsd;
    }

    /** What the call was estimated to cost. */
    public BigDecimal estimateUsd() {
        return estimateUsd;
    }

    /** By how much the call would pass the budget. */
    public BigDecimal overByUsd() {
        return spentUsd.add(estimateUsd).subtract(limitUsd);
    }

    private static String plain(BigDecimal usd) {
        var rounded = usd.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros();
        return rounded.scale() < 2 ? rounded.setScale(2).toPlainString() : rounded.toPlainString();
    }
}
