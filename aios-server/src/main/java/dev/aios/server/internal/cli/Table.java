package dev.aios.server.internal.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: a header row and columns padded to their widest cell. */
final class Table {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Table(List<String> header) {
        this.header = header;
    }

    static Table withColumns(String... header) {
        return new Table(List.of(header));
    }

    Table row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row needs " + header.size() + " cells, had " + cells.length);
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Prints the table, or {@code empty} when it has no rows. */
    void print(PrintWriter out, String empty) {
        if (rows.isEmpty()) {
            out.println(empty);
            return;
        }
        var widths = new int[header.size()];
        for (var row : allRows()) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (var row : allRows()) {
            var line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                var cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(widths[i] - cell.length() + 2));
                }
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private List<List<String>> allRows() {
        var all = new ArrayList<List<String>>();
        all.add(header);
        all.addAll(rows);
        return all;
    }
}
