package dev.aios.server.internal;

import dev.aios.api.Durations;
import dev.aios.kernel.Digest;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.models.CostReport;
import dev.aios.models.ModelsExtension;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/** The operator's review of a period: the kernel's digest with what model calls cost against the budget. */
public final class WeeklyReview {
    private final Kernel kernel;
    private final ModelsExtension models;
    private final InstantSource clock;

    public WeeklyReview(Kernel kernel, ModelsExtension models, InstantSource clock) {
        this.kernel = kernel;
        this.models = models;
        this.clock = clock;
    }

    /**
     * A period's digest, its spend and the budget for it.
     *
     * @param since the period as given, e.g. {@code 7d}
     * @param digest what happened
     * @param spend what model calls cost, by day, agent, playbook and model
     * @param budget the daily limit times the period's days, when a daily limit is set
     */
    public record Review(String since, Digest digest, CostReport spend, Optional<BigDecimal> budget) {}

    /**
     * The review of the period {@code since} (an age such as {@code 7d}) up to now.
     *
     * @throws InvalidInputException when {@code since} is not an age between a second and a year
     */
    public Review of(String since) {
        Duration period = Durations.parse(since)
                .orElseThrow(() ->
                        new InvalidInputException("'since' must be an age such as 7d or 48h, was '" + since + "'"));
        if (period.isNegative() || period.isZero() || period.toDays() > 366) {
            throw new InvalidInputException("'since' must be between a second and a year, was '" + since + "'");
        }
        Instant from = clock.instant().minus(period);
        var firstDay = LocalDate.ofInstant(from, ZoneOffset.UTC);
        var today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        long days = today.toEpochDay() - firstDay.toEpochDay() + 1;
        var budget = models.settings().budgets().perDay().map(limit -> limit.multiply(BigDecimal.valueOf(days)));
        return new Review(since, kernel.digest(from), models.costs(Optional.of(firstDay), Optional.of(today)), budget);
    }
}
