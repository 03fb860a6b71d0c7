package dev.aios.models.internal;

import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import dev.aios.models.CostReport;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/** The cost ledger: what each model call cost and whom it is charged to, in the kernel's database. */
public final class Ledger {
    private final Storage storage;

    public Ledger(Storage storage) {
        this.storage = storage;
    }

    /** Files the calls about a forgotten subject under its pseudonym. */
    public void pseudonymize(String subject, String pseudonym) {
        storage.write(h -> h.update("UPDATE models_ledger SET subject = ? WHERE subject = ?", pseudonym, subject));
    }

    /**
     * One model call or cache hit, as charged.
     *
     * @param outcome {@code answered}, or {@code invalid} for an answer that did not match its schema
     */
    record Charge(
            Instant at,
            String runId,
            String stepId,
            String stepKey,
            int callNo,
            String agent,
            String playbook,
            String provider,
            String model,
            String modelClass,
            long inputTokens,
            long outputTokens,
            long costNanos,
            boolean priced,
            boolean cached,
            String outcome,
            String subject) {}

    /** What was spent so far against each budget that applies to a call. */
    record Spent(long run, long agentToday, long today) {}

    /** The UTC day of {@code at}, as the ledger writes it. */
    static String day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toString();
    }

    /** Adds charges inside a unit of work of the kernel's writer. */
    static void insert(Handle h, List<Charge> charges) {
        for (var charge : charges) {
            h.update(
                    "INSERT INTO models_ledger (at, day, run_id, step_id, step_key, call_no, agent, playbook, provider,"
                            + " model, model_class, input_tokens, output_tokens, cost_nanos, priced, cached, outcome,"
                            + " subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    charge.at(),
                    day(charge.at()),
                    charge.runId(),
                    charge.stepId(),
                    charge.stepKey(),
                    charge.callNo(),
                    charge.agent(),
                    charge.playbook(),
                    charge.provider(),
                    charge.model(),
                    charge.modelClass(),
                    charge.inputTokens(),
                    charge.outputTokens(),
                    charge.costNanos(),
                    charge.priced(),
                    charge.cached(),
                    charge.outcome(),
                    charge.subject());
        }
    }

    /** Whether call {@code callNo} of the step with {@code stepKey} was answered before (by an earlier attempt). */
    boolean answered(String stepKey, int callNo) {
        return storage.read(h -> h.count(
                        "SELECT COUNT(*) FROM models_ledger WHERE step_key = ? AND call_no = ? AND outcome = 'answered'",
                        stepKey,
                        callNo)
                > 0);
    }

    /** What was spent by {@code runId}, by {@code agent} on {@code day}, and by everything on {@code day}. */
    static Spent spent(Handle h, String runId, String agent, String day) {
        return new Spent(
                h.count("SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE run_id = ?", runId),
                h.count(
                        "SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE agent = ? AND day = ?",
                        agent,
                        day),
                h.count("SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE day = ?", day));
    }

    /** What was spent since {@code since} by calls whose {@code column} is {@code value}. */
    static long spentSince(Handle h, String column, String value, Instant since) {
        return h.count(
                "SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE " + column(column) + " = ? AND at >= ?",
                value,
                since);
    }

    /** {@code column} once checked to be one a spend limit counts by (agent, subject, playbook, provider). */
    static String column(String column) {
        if (!List.of("agent", "subject", "playbook", "provider").contains(column)) {
            throw new IllegalArgumentException(column);
        }
        return column;
    }

    /** The totals between two days (inclusive), each bound optional. */
    public CostReport report(Optional<LocalDate> from, Optional<LocalDate> to) {
        String where = " WHERE day >= ? AND day <= ?";
        String low = from.map(LocalDate::toString).orElse("0000-00-00");
        String high = to.map(LocalDate::toString).orElse("9999-99-99");
        return storage.read(h -> {
            var total = lines(h, "''", where, "", low, high);
            return new CostReport(
                    from,
                    to,
                    total.isEmpty() ? new CostReport.Line("", 0, 0, 0, 0, PriceTable.usd(0), 0) : total.getFirst(),
                    lines(h, "day", where, " GROUP BY day ORDER BY day DESC", low, high),
                    lines(h, "agent", where, " GROUP BY agent ORDER BY cost DESC, agent", low, high),
                    lines(h, "playbook", where, " GROUP BY playbook ORDER BY cost DESC, playbook", low, high),
                    lines(
                            h,
                            "provider || '/' || model",
                            where,
                            " GROUP BY provider, model ORDER BY cost DESC, provider, model",
                            low,
                            high));
        });
    }

    private static List<CostReport.Line> lines(Handle h, String key, String where, String group, String... args) {
        String sql = "SELECT " + key + " AS k, COUNT(*) AS calls, COALESCE(SUM(cached), 0) AS cached,"
                + " COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output,"
                + " COALESCE(SUM(cost_nanos), 0) AS cost, COALESCE(SUM(1 - priced), 0) AS unpriced"
                + " FROM models_ledger" + where + group;
        return h
                .query(
                        sql,
                        row -> new CostReport.Line(
                                row.text("k"),
                                row.integer("calls"),
                                row.integer("cached"),
                                row.integer("input"),
                                row.integer("output"),
                                PriceTable.usd(row.integer("cost")),
                                row.integer("unpriced")),
                        (Object[]) args)
                .stream()
                .filter(line -> line.calls() != 0)
                .toList();
    }
}
