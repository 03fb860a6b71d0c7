package dev.aios.server.internal.console;

import dev.aios.kernel.PlaybookGraph;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Draws a playbook's steps as SVG on the server: steps top to bottom in the order written, the
 * normal way to the next step straight down, jumps forward as arcs on the right and loops back as
 * arcs on the left. A run's path is drawn bold and each step it entered is coloured by its status.
 */
final class StepGraphSvg {
    private static final int LEFT = 110;
    private static final int WIDTH = 250;
    private static final int HEIGHT = 46;
    private static final int GAP = 30;
    private static final int TOP = 16;

    private StepGraphSvg() {}

    /**
     * The SVG of {@code graph}.
     *
     * @param statuses each entered step's status (completed, running, waiting, failed, …); steps not
     *     entered are drawn grey
     * @param path the ways the run took, as {@code from->to}
     */
    static String draw(PlaybookGraph graph, Map<String, String> statuses, Set<String> path) {
        var index = new HashMap<String, Integer>();
        var nodes = graph.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).id(), i);
        }
        int endRow = nodes.size();
        index.put("end", endRow);
        int rightArcs = (int) graph.edges().stream()
                .filter(e -> index.getOrDefault(e.to(), endRow) > index.get(e.from()) + 1)
                .count();
        int width = LEFT + WIDTH + 60 + Math.min(rightArcs, 8) * 22 + 150;
        int height = TOP * 2 + (endRow + 1) * (HEIGHT + GAP);
        var svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"graph\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" width=\"")
                .append(width)
                .append("\" role=\"img\" aria-labelledby=\"graph-title\">")
                .append("<title id=\"graph-title\">Steps of ")
                .append(escape(graph.name()))
                .append(", with the path taken</title>")
                .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\""
                        + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\""
                        + " fill=\"#4a4a4a\"/></marker><marker id=\"arrow-path\" viewBox=\"0 0 10 10\" refX=\"9\""
                        + " refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path"
                        + " d=\"M0,0 L10,5 L0,10 z\" fill=\"#0b57d0\"/></marker></defs>");
        int right = 0;
        int left = 0;
        var drawnDown = new HashSet<Integer>();
        for (var edge : graph.edges()) {
            int from = index.get(edge.from());
            int to = index.getOrDefault(edge.to(), endRow);
            boolean taken = path.contains(edge.from() + "->" + edge.to());
            String stroke = taken ? "#0b57d0" : "#8a8f98";
            String marker = taken ? "url(#arrow-path)" : "url(#arrow)";
            String strokeWidth = taken ? "3" : "1.5";
            if (to == from + 1 && edge.label().isEmpty() && drawnDown.add(from)) {
                int x = LEFT + WIDTH / 2;
                svg.append(line(x, bottom(from), x, top(to), stroke, strokeWidth, marker));
                continue;
            }
            if (to > from) {
                int offset = 30 + (right++ % 8) * 22;
                int x = LEFT + WIDTH;
                int y1 = middle(from) + (edge.label().isEmpty() ? 0 : 8);
                int y2 = middle(to) - 6;
                svg.append(path(
                        "M" + x + "," + y1 + " C" + (x + offset) + "," + y1 + " " + (x + offset) + "," + y2 + " " + x
                                + "," + y2,
                        stroke,
                        strokeWidth,
                        marker));
                if (!edge.label().isEmpty()) {
                    svg.append(text(x + offset + 4, (y1 + y2) / 2, edge.label(), "label"));
                }
            } else {
                int offset = 30 + (left++ % 4) * 18;
                int x = LEFT;
                int y1 = middle(from);
                int y2 = middle(to);
                svg.append(path(
                        "M" + x + "," + y1 + " C" + (x - offset) + "," + y1 + " " + (x - offset) + "," + y2 + " " + x
                                + "," + y2,
                        stroke,
                        strokeWidth,
                        marker));
                if (!edge.label().isEmpty()) {
                    svg.append(text(Math.max(2, x - offset - 100), (y1 + y2) / 2, edge.label(), "label"));
                }
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            var node = nodes.get(i);
            var status = statuses.getOrDefault(node.id(), "");
            svg.append(node(i, node.id(), node.kind() + (node.detail().isEmpty() ? "" : ": " + node.detail()), status));
        }
        svg.append(endNode(endRow, statuses.containsKey("end")));
        svg.append("</svg>");
        return svg.toString();
    }

    private static int top(int row) {
        return TOP + row * (HEIGHT + GAP);
    }

    private static int bottom(int row) {
        return top(row) + HEIGHT;
    }

    private static int middle(int row) {
        return top(row) + HEIGHT / 2;
    }

    private static String node(int row, String id, String caption, String status) {
        var fill =
                switch (status) {
                    case "completed" -> "#e6f4ea";
                    case "failed" -> "#fce8e6";
                    case "waiting", "scheduled" -> "#fff4d6";
                    case "running" -> "#e8f0fe";
                    case "cancelled" -> "#eeeeee";
                    default -> "#ffffff";
                };
        var border =
                switch (status) {
                    case "completed" -> "#146c2e";
                    case "failed" -> "#b3261e";
                    case "waiting", "scheduled" -> "#7a4f00";
                    case "running" -> "#0b57d0";
                    default -> "#8a8f98";
                };
        int y = top(row);
        return "<g class=\"step" + (status.isEmpty() ? " untouched" : " status-" + status) + "\"><rect x=\"" + LEFT
                + "\" y=\"" + y + "\" width=\"" + WIDTH + "\" height=\"" + HEIGHT + "\" rx=\"8\" fill=\"" + fill
                + "\" stroke=\"" + border + "\" stroke-width=\"" + (status.isEmpty() ? "1" : "2")
                + (status.isEmpty() ? "\" stroke-dasharray=\"4 3" : "") + "\"/>"
                + text(LEFT + 10, y + 19, id + (status.isEmpty() ? "" : " · " + status), "id")
                + text(LEFT + 10, y + 36, shorten(caption, 38), "kind") + "</g>";
    }

    private static String endNode(int row, boolean reached) {
        int y = top(row);
        int x = LEFT + WIDTH / 2;
        return "<g class=\"step end\"><circle cx=\"" + x + "\" cy=\"" + (y + 16) + "\" r=\"14\" fill=\""
                + (reached ? "#146c2e" : "#ffffff") + "\" stroke=\"#4a4a4a\" stroke-width=\"2\"/>"
                + text(x + 22, y + 21, "end", "kind") + "</g>";
    }

    private static String line(int x1, int y1, int x2, int y2, String stroke, String width, String marker) {
        return "<line x1=\"" + x1 + "\" y1=\"" + y1 + "\" x2=\"" + x2 + "\" y2=\"" + (y2 - 2) + "\" stroke=\"" + stroke
                + "\" stroke-width=\"" + width + "\" marker-end=\"" + marker + "\"/>";
    }

    private static String path(String d, String stroke, String width, String marker) {
        return "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + stroke + "\" stroke-width=\"" + width
                + "\" marker-end=\"" + marker + "\"/>";
    }

    private static String text(int x, int y, String text, String css) {
        var size = css.equals("id") ? "14" : "12";
        var weight = css.equals("id") ? "600" : "400";
        return "<text x=\"" + x + "\" y=\"" + y + "\" font-size=\"" + size + "\" font-weight=\"" + weight
                + "\" fill=\"#1a1a1a\" font-family=\"system-ui, sans-serif\">" + escape(text) + "</text>";
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** Text made safe inside SVG markup. */
    static String escape(String text) {
        var out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
