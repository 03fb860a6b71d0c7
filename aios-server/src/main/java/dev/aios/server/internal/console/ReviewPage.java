package dev.aios.server.internal.console;

import dev.aios.kernel.Digest;
import dev.aios.models.CostReport;
import java.util.Optional;

/**
 * The weekly review: the period's exceptions and how they were handled.
 *
 * @param frame the page's frame
 * @param since the period as the operator gave it, e.g. {@code 7d}
 * @param digest what happened
 * @param spend what model calls cost in the period
 * @param budget the daily limit times the period's days, when a daily limit is set
 */
public record ReviewPage(Frame frame, String since, Digest digest, CostReport spend, Optional<String> budget) {}
