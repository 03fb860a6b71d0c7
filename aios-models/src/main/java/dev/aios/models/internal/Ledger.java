package dev.aios.models.internal;

import dev.aios.kernel.spi.Storage;
import dev.aios.models.CostReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The cost ledger: what each model call cost and whom it is charged to, in the kernel's database. */
public final class Ledger {
    private final Storage storage;

    public Ledger(Storage storage) {
        this.storage = storage;
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
    static void insert(Connection connection, List<Charge> charges) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO models_ledger (at, day, run_id, step_id, step_key, call_no, agent, playbook, provider,"
                        + " model, model_class, input_tokens, output_tokens, cost_nanos, priced, cached, outcome,"
                        + " subject) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (var charge : charges) {
                insert.setLong(1, charge.at().toEpochMilli());
                insert.setString(2, day(charge.at()));
                insert.setString(3, charge.runId());
                insert.setString(4, charge.stepId());
                insert.setString(5, charge.stepKey());
                insert.setInt(6, charge.callNo());
                insert.setString(7, charge.agent());
                insert.setString(8, charge.playbook());
                insert.setString(9, charge.provider());
                insert.setString(10, charge.model());
                insert.setString(11, charge.modelClass());
                insert.setLong(12, charge.inputTokens());
                insert.setLong(13, charge.outputTokens());
                insert.setLong(14, charge.costNanos());
                insert.setInt(15, charge.priced() ? 1 : 0);
                insert.setInt(16, charge.cached() ? 1 : 0);
                insert.setString(17, charge.outcome());
                insert.setString(18, charge.subject());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Whether call {@code callNo} of the step with {@code stepKey} was answered before (by an earlier attempt). */
    boolean answered(String stepKey, int callNo) {
        return storage.read(c -> {
            try (var query = c.prepareStatement(
                    "SELECT 1 FROM models_ledger WHERE step_key = ? AND call_no = ? AND outcome = 'answered' LIMIT 1")) {
                query.setString(1, stepKey);
                query.setInt(2, callNo);
                try (var rows = query.executeQuery()) {
                    return rows.next();
                }
            }
        });
    }

    /** What was spent by {@code runId}, by {@code agent} on {@code day}, and by everything on {@code day}. */
    Spent spent(String runId, String agent, String day) {
        return storage.read(c -> new Spent(
                sum(c, "SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE run_id = ?", runId),
                sum(
                        c,
                        "SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE agent = ? AND day = ?",
                        agent,
                        day),
                sum(c, "SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE day = ?", day)));
    }

    /** What was spent since {@code since} by calls whose {@code column} is {@code value}. */
    long spentSince(String column, String value, Instant since) {
        if (!List.of("agent", "subject", "playbook", "provider").contains(column)) {
            throw new IllegalArgumentException(column);
        }
        return storage.read(c -> sum(
                c,
                "SELECT COALESCE(SUM(cost_nanos), 0) FROM models_ledger WHERE " + column + " = ? AND at >= ?",
                value,
                Long.toString(since.toEpochMilli())));
    }

    private static long sum(Connection c, String sql, String... args) throws SQLException {
        try (var query = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                query.setString(i + 1, args[i]);
            }
            try (var rows = query.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0;
            }
        }
    }

    /** The totals between two days (inclusive), each bound optional. */
    public CostReport report(Optional<LocalDate> from, Optional<LocalDate> to) {
        String where = " WHERE day >= ? AND day <= ?";
        String low = from.map(LocalDate::toString).orElse("0000-00-00");
        String high = to.map(LocalDate::toString).orElse("9999-99-99");
        return storage.read(c -> {
            var total = lines(c, "''", where, "", low, high);
            return new CostReport(
                    from,
                    to,
                    total.isEmpty() ? new CostReport.Line("", 0, 0, 0, 0, PriceTable.usd(0), 0) : total.getFirst(),
                    lines(c, "day", where, " GROUP BY day ORDER BY day DESC", low, high),
                    lines(c, "agent", where, " GROUP BY agent ORDER BY cost DESC, agent", low, high),
                    lines(c, "playbook", where, " GROUP BY playbook ORDER BY cost DESC, playbook", low, high),
                    lines(
                            c,
                            "provider || '/' || model",
                            where,
                            " GROUP BY provider, model ORDER BY cost DESC, provider, model",
                            low,
                            high));
        });
    }

    private static List<CostReport.Line> lines(Connection c, String key, String where, String group, String... args)
            throws SQLException {
        String sql = "SELECT " + key + " AS k, COUNT(*) AS calls, COALESCE(SUM(cached), 0) AS cached,"
                + " COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output,"
                + " COALESCE(SUM(cost_nanos), 0) AS cost, COALESCE(SUM(1 - priced), 0) AS unpriced"
                + " FROM models_ledger" + where + group;
        var lines = new ArrayList<CostReport.Line>();
        try (var query = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                query.setString(i + 1, args[i]);
            }
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    if (rows.getLong("calls") == 0) {
                        continue;
                    }
                    lines.add(new CostReport.Line(
                            rows.getString("k"),
                            rows.getLong("calls"),
                            rows.getLong("cached"),
                            rows.getLong("input"),
                            rows.getLong("output"),
                            PriceTable.usd(rows.getLong("cost")),
                            rows.getLong("unpriced")));
                }
            }
        }
        return lines;
    }
}
