package dev.aios.models.internal;

import dev.aios.models.ModelSettings.Price;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What models cost: the configured prices over a built-in table of well-known models (US dollars per
 * million tokens, list prices). A dated model name ({@code gpt-4o-mini-2024-07-18}) takes the price
 * of the longest known name it starts with. A model found nowhere, such as a local one, costs
 * nothing and is marked unpriced in the ledger.
 */
public final class PriceTable {
    private static final Map<String, Price> WELL_KNOWN = Map.ofEntries(
            Map.entry("gpt-4o-mini", Price.of("0.15", "0.60")),
            Map.entry("gpt-4o", Price.of("2.50", "10.00")),
            Map.entry("gpt-4.1", Price.of("2.00", "8.00")),
            Map.entry("gpt-4.1-mini", Price.of("0.40", "1.60")),
            Map.entry("gpt-4.1-nano", Price.of("0.10", "0.40")),
            Map.entry("gpt-5", Price.of("1.25", "10.00")),
            Map.entry("gpt-5-mini", Price.of("0.25", "2.00")),
            Map.entry("gpt-5-nano", Price.of("0.05", "0.40")),
            Map.entry("o4-mini", Price.of("1.10", "4.40")),
            Map.entry("o3", Price.of("2.00", "8.00")),
            Map.entry("claude-haiku-4-5", Price.of("1.00", "5.00")),
            Map.entry("claude-sonnet-4-5", Price.of("3.00", "15.00")),
            Map.entry("claude-sonnet-4", Price.of("3.00", "15.00")),
            Map.entry("claude-opus-4-1", Price.of("15.00", "75.00")),
            Map.entry("claude-3-5-haiku", Price.of("0.80", "4.00")));

    /** Costs are kept in billionths of a dollar, so that sums of small calls stay exact. */
    static final BigDecimal NANOS_PER_USD = BigDecimal.valueOf(1_000_000_000L);

    private final Map<String, Price> prices;

    public PriceTable(Map<String, Price> configured) {
        var all = new HashMap<>(WELL_KNOWN);
        all.putAll(configured);
        this.prices = Map.copyOf(all);
    }

    /** The price of {@code model}, if known. */
    public Optional<Price> price(String model) {
        var exact = prices.get(model);
        if (exact != null) {
            return Optional.of(exact);
        }
        String best = null;
        for (String known : prices.keySet()) {
            if (model.startsWith(known + "-") && (best == null || known.length() > best.length())) {
                best = known;
            }
        }
        return Optional.ofNullable(best).map(prices::get);
    }

    /** What {@code inputTokens} in and {@code outputTokens} out of {@code model} cost, in billionths of a dollar. */
    public long nanos(String model, long inputTokens, long outputTokens) {
        return price(model)
                .map(price -> price.inputPerMillion()
                        .multiply(BigDecimal.valueOf(inputTokens))
                        .add(price.outputPerMillion().multiply(BigDecimal.valueOf(outputTokens)))
                        // per million tokens, in billionths: x 1000
                        .multiply(BigDecimal.valueOf(1000))
                        .setScale(0, RoundingMode.HALF_UP)
                        .longValueExact())
                .orElse(0L);
    }

    /** Billionths of a dollar as dollars. */
    public static BigDecimal usd(long nanos) {
        var usd = BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
        return usd.scale() < 0 ? usd.setScale(0) : usd;
    }

    /** Dollars as billionths, rounded up: a budget of $0.000000001 still allows nothing more. */
    public static long nanos(BigDecimal usd) {
        return usd.multiply(NANOS_PER_USD).setScale(0, RoundingMode.CEILING).longValueExact();
    }
}
