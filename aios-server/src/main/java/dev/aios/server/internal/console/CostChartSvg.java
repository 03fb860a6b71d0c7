package dev.aios.server.internal.console;

import dev.aios.models.CostReport;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.HashMap;

/** Draws spend per day as an SVG bar chart on the server: one bar a day, days without calls at zero. */
final class CostChartSvg {
    private static final int HEIGHT = 180;
    private static final int LEFT = 64;
    private static final int BOTTOM = 28;
    private static final int BAR = 16;

    private CostChartSvg() {}

    static String draw(CostReport report, LocalDate from, LocalDate to) {
        var byDay = new HashMap<String, CostReport.Line>();
        report.byDay().forEach(line -> byDay.put(line.key(), line));
        int days = (int) (to.toEpochDay() - from.toEpochDay()) + 1;
        var max = report.byDay().stream()
                .map(CostReport.Line::costUsd)
                .max(BigDecimal::compareTo)
                .orElse(BigDecimal.ZERO);
        var top = max.signum() == 0 ? BigDecimal.ONE : max;
        int width = LEFT + days * (BAR + 4) + 16;
        var svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(HEIGHT + BOTTOM + 10)
                .append("\" width=\"")
                .append(width)
                .append(
                        "\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Model spend per day from ")
                .append(from)
                .append(" to ")
                .append(to)
                .append(", at most $")
                .append(max.setScale(4, RoundingMode.HALF_UP).toPlainString())
                .append(" a day</title>");
        svg.append(axisLabel(4, 14, "$" + top.setScale(4, RoundingMode.HALF_UP).toPlainString()));
        svg.append(axisLabel(4, HEIGHT, "$0"));
        svg.append("<line x1=\"")
                .append(LEFT - 4)
                .append("\" y1=\"")
                .append(HEIGHT)
                .append("\" x2=\"")
                .append(width - 8)
                .append("\" y2=\"")
                .append(HEIGHT)
                .append("\" stroke=\"#4a4a4a\"/>");
        for (int i = 0; i < days; i++) {
            var day = from.plusDays(i);
            var line = byDay.get(day.toString());
            int x = LEFT + i * (BAR + 4);
            if (line != null) {
                int h = Math.max(
                        line.calls() > 0 ? 2 : 0,
                        line.costUsd()
                                .multiply(BigDecimal.valueOf(HEIGHT - 20))
                                .divide(top, 0, RoundingMode.HALF_UP)
                                .intValue());
                svg.append("<rect x=\"")
                        .append(x)
                        .append("\" y=\"")
                        .append(HEIGHT - h)
                        .append("\" width=\"")
                        .append(BAR)
                        .append("\" height=\"")
                        .append(h)
                        .append("\" fill=\"#0b57d0\"><title>")
                        .append(day)
                        .append(": $")
                        .append(line.costUsd().toPlainString())
                        .append(", ")
                        .append(line.calls())
                        .append(" calls (")
                        .append(line.cachedCalls())
                        .append(" from the cache)</title></rect>");
            }
            if ((i % 7 == 0 && days - 1 - i >= 4) || i == days - 1) {
                svg.append(axisLabel(x - 6, HEIGHT + 18, day.toString().substring(5)));
            }
        }
        svg.append("</svg>");
        return svg.toString();
    }

    private static String axisLabel(int x, int y, String text) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" font-size=\"11\" fill=\"#4a4a4a\""
                + " font-family=\"system-ui, sans-serif\">" + StepGraphSvg.escape(text) + "</text>";
    }
}
