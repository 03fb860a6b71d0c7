package dev.aios.server.internal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Locale;

/** Prints {@code aios memory search --explain}: how the query was searched, and each signal's part per hit. */
final class SearchExplanation {
    private SearchExplanation() {}

    static void plan(PrintWriter out, JsonNode plan) {
        out.println("searched by text for " + list(plan.path("stems")) + " (stemmed, in text and title), "
                + list(plan.path("words")) + " (as written, and neighbours as phrases)");
        double meaning = plan.path("meaningWeight").asDouble();
        String fusion = plan.path("fusion").asText().equals("ranks")
                ? "an item's part is weight × " + (plan.path("rrfK").asInt() + 1) + " / ("
                        + plan.path("rrfK").asInt() + " + its rank)"
                : "an item's part is weight × its score / the best score (cosine counted from 0.2)";
        out.println(String.format(
                Locale.ROOT,
                "%s query: text weight %.2f, meaning weight %.2f%s; each search takes %d chunks, grouped by item;"
                        + " %s",
                plan.path("exactLooking").asBoolean() ? "short or exact-looking" : "descriptive",
                plan.path("textWeight").asDouble(),
                meaning,
                meaning == 0 ? " (no search by meaning)" : "",
                plan.path("depth").asInt(),
                fusion));
        out.println();
    }

    static void hit(PrintWriter out, JsonNode item) {
        var why = item.path("why");
        var text = why.path("textRank").isNumber()
                ? String.format(
                        Locale.ROOT,
                        "rank %d, BM25 %.2f",
                        why.path("textRank").asInt(),
                        why.path("textScore").asDouble())
                : "not found";
        var meaning = why.path("vectorRank").isNumber()
                ? String.format(
                        Locale.ROOT,
                        "rank %d, cosine %.2f",
                        why.path("vectorRank").asInt(),
                        why.path("similarity").asDouble())
                : "not found";
        out.println(String.format(
                Locale.ROOT,
                "       text        %-26s +%.3f",
                text,
                why.path("text").asDouble()));
        out.println(String.format(
                Locale.ROOT,
                "       meaning     %-26s +%.3f",
                meaning,
                why.path("meaning").asDouble()));
        out.println(String.format(
                Locale.ROOT,
                "       relevance   %-26s  %.3f",
                "",
                why.path("relevance").asDouble()));
        out.println(String.format(
                Locale.ROOT,
                "       decay %.2f, importance %.2f          ×%.3f  = %.3f",
                why.path("decay").asDouble(),
                why.path("importance").asDouble(),
                why.path("adjustment").asDouble(),
                item.path("score").asDouble()));
        out.println("       " + why.path("explanation").asText());
    }

    private static String list(JsonNode array) {
        var words = new ArrayList<String>();
        array.forEach(w -> words.add(w.asText()));
        return words.isEmpty() ? "nothing" : String.join(" ", words);
    }
}
