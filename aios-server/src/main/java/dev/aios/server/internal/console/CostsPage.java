package dev.aios.server.internal.console;

import dev.aios.kernel.Digest;
import dev.aios.models.CostReport;
import java.util.List;

/**
 * What model calls cost: a chart per day, tables per agent, playbook and model, the budgets and
 * how close each is to its limit, and how long the operator's answers take per task kind.
 *
 * @param frame the page's frame
 * @param from the first day shown (YYYY-MM-DD)
 * @param to the last day shown
 * @param report the ledger's totals for the days shown
 * @param chart spend per day as SVG
 * @param budgets each budget with what was spent against it
 * @param operatorTime how long tasks waited for the operator, per kind, over the days shown
 */
public record CostsPage(
        Frame frame,
        String from,
        String to,
        CostReport report,
        String chart,
        List<Budget> budgets,
        List<Digest.Wait> operatorTime) {

    /**
     * A spending limit and what was spent against it.
     *
     * @param name what the limit covers, e.g. {@code per day (all agents)}
     * @param limit the limit in US dollars
     * @param spent what was spent in its period so far
     * @param percent spent as a share of the limit, 0 to 100 and beyond
     */
    public record Budget(String name, String limit, String spent, int percent) {
        /** Whether the spend is close to the limit (80 % or more). */
        public boolean high() {
            return percent >= 80;
        }

        /** The meter's fill, capped at 100. */
        public int fill() {
            return Math.min(100, percent);
        }
    }
}
