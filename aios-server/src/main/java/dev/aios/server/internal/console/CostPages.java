package dev.aios.server.internal.console;

import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.Kernel;
import dev.aios.models.CostReport;
import dev.aios.models.ModelsExtension;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The costs page: the ledger by day, agent, playbook and model, and the budgets. */
final class CostPages {
    /** Days shown when the operator names none. */
    static final int DEFAULT_DAYS = 30;

    private final Kernel kernel;
    private final ModelsExtension models;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;
    private final InstantSource clock;

    CostPages(Kernel kernel, ModelsExtension models, Gate gate, Pages pages, Frames frames, InstantSource clock) {
        this.kernel = kernel;
        this.models = models;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
        this.clock = clock;
    }

    void addTo(RoutesConfig routes) {
        routes.get("/costs", gate.page(Scope.READ, this::costs), dev.aios.server.Access.SELF);
    }

    private void costs(Context ctx, Visit visit) {
        var today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        var to = day(ctx, "to").orElse(today);
        var from = day(ctx, "from").orElse(to.minusDays(DEFAULT_DAYS - 1));
        if (from.isAfter(to)) {
            throw new InvalidInputException("'from' (" + from + ") is after 'to' (" + to + "); swap them");
        }
        if (to.toEpochDay() - from.toEpochDay() > 366) {
            throw new InvalidInputException("show at most a year at once; narrow 'from' and 'to'");
        }
        var report = models.costs(Optional.of(from), Optional.of(to));
        var digest = kernel.digest(from.atStartOfDay().toInstant(ZoneOffset.UTC));
        var frame = frames.of(visit, "Costs", "costs").listening("costs");
        pages.render(
                ctx,
                "costs.jte",
                new CostsPage(
                        frame,
                        from.toString(),
                        to.toString(),
                        report,
                        CostChartSvg.draw(report, from, to),
                        budgets(today),
                        digest.operatorTime()));
    }

    /** Each configured budget with what today's ledger holds against it. */
    private List<CostsPage.Budget> budgets(LocalDate today) {
        var limits = models.settings().budgets();
        var spentToday = models.costs(Optional.of(today), Optional.of(today));
        var out = new ArrayList<CostsPage.Budget>();
        limits.perDay()
                .ifPresent(limit -> out.add(
                        budget("per day, everything", limit, spentToday.total().costUsd())));
        limits.perAgent().ifPresent(limit -> {
            for (var agent : spentToday.byAgent()) {
                if (!limits.agents().containsKey(agent.key())) {
                    out.add(budget("per day, agent " + agent.key(), limit, agent.costUsd()));
                }
            }
        });
        limits.agents()
                .forEach((agent, limit) -> out.add(budget(
                        "per day, agent " + agent,
                        limit,
                        spentToday.byAgent().stream()
                                .filter(line -> line.key().equals(agent))
                                .map(CostReport.Line::costUsd)
                                .findFirst()
                                .orElse(BigDecimal.ZERO))));
        limits.perRun()
                .ifPresent(limit -> out.add(
                        new CostsPage.Budget("per run (checked before each call)", limit.toPlainString(), "-", 0)));
        return out;
    }

    private static CostsPage.Budget budget(String name, BigDecimal limit, BigDecimal spent) {
        int percent = limit.signum() == 0
                ? 100
                : spent.multiply(BigDecimal.valueOf(100))
                        .divide(limit, 0, RoundingMode.HALF_UP)
                        .intValue();
        return new CostsPage.Budget(name, limit.toPlainString(), spent.toPlainString(), percent);
    }

    private static Optional<LocalDate> day(Context ctx, String name) {
        var value = ctx.queryParam(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(value.strip()));
        } catch (DateTimeParseException e) {
            throw new InvalidInputException("'" + name + "' must be a day such as 2026-05-01, was '" + value + "'");
        }
    }
}
