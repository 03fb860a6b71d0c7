package dev.aios.models;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What model calls cost, from the ledger: in total and by day (UTC), agent, playbook and model.
 *
 * @param from the first day counted, if the report is bounded
 * @param to the last day counted, if the report is bounded
 * @param total everything counted
 * @param byDay by day, newest first
 * @param byAgent by agent, most expensive first
 * @param byPlaybook by playbook, most expensive first
 * @param byModel by provider and model ({@code openai/gpt-4o-mini}), most expensive first
 */
public record CostReport(
        Optional<LocalDate> from,
        Optional<LocalDate> to,
        Line total,
        List<Line> byDay,
        List<Line> byAgent,
        List<Line> byPlaybook,
        List<Line> byModel) {

    public CostReport {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(total, "total");
        byDay = List.copyOf(byDay);
        byAgent = List.copyOf(byAgent);
        byPlaybook = List.copyOf(byPlaybook);
        byModel = List.copyOf(byModel);
    }

    /**
     * One total.
     *
     * @param key what it totals: a day, an agent, a playbook or a model; "" for the grand total
     * @param calls model calls, cache hits included
     * @param cachedCalls calls answered from the cache, at no cost
     * @param inputTokens tokens sent
     * @param outputTokens tokens received
     * @param costUsd what it cost, in US dollars
     * @param unpricedCalls calls to models found in no price table, counted at no cost
     */
    public record Line(
            String key,
            long calls,
            long cachedCalls,
            long inputTokens,
            long outputTokens,
            BigDecimal costUsd,
            long unpricedCalls) {
        public Line {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(costUsd, "costUsd");
        }
    }
}
