package dev.aios.memory.internal;

import dev.aios.memory.spi.Summarizer;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Summarizes without a model: what kinds of things happened and how often, then the values that
 * recur most across the records (the need, the plan, the names), each once, in the order they first
 * appeared. Ids, times and numbers alone are left out: they do not summarize.
 */
final class ExtractiveSummarizer implements Summarizer {
    private static final int LINES = 10;
    private static final int LINE_CHARS = 200;
    private static final Pattern WORD = Pattern.compile("[\\p{L}]{3,}");
    private static final Set<String> STOP = Set.of(
            "the", "and", "for", "with", "that", "this", "from", "was", "are", "not", "but", "you", "your", "has",
            "have", "true", "false", "null");

    private record Line(String key, String value) {}

    @Override
    public String name() {
        return "extractive";
    }

    @Override
    public String summarize(String subject, LocalDate day, List<String> texts) {
        var kinds = new LinkedHashMap<String, Integer>();
        var lines = new LinkedHashMap<String, Line>();
        var frequency = new HashMap<String, Integer>();
        for (String text : texts) {
            var all = text.strip().split("\n");
            kinds.merge(all[0].split(" \\(run ")[0].strip(), 1, Integer::sum);
            for (int i = 1; i < all.length; i++) {
                int colon = all[i].indexOf(": ");
                if (colon < 0) {
                    continue;
                }
                var value = all[i].substring(colon + 2).strip();
                var words = words(value);
                if (words.isEmpty()) {
                    continue;
                }
                words.forEach(w -> frequency.merge(w, 1, Integer::sum));
                lines.putIfAbsent(value, new Line(all[i].substring(0, colon).strip(), value));
            }
        }
        var candidates = new ArrayList<>(lines.values());
        var best = IntStream.range(0, candidates.size())
                .boxed()
                .sorted(Comparator.comparingDouble(
                        (Integer i) -> -weight(candidates.get(i).value(), frequency)))
                .limit(LINES)
                .sorted()
                .map(candidates::get)
                .toList();
        var summary = new StringBuilder()
                .append(texts.size())
                .append(texts.size() == 1 ? " record" : " records")
                .append(subject.isEmpty() ? "" : " about " + subject)
                .append(" on ")
                .append(day)
                .append(": ")
                .append(kinds.entrySet().stream()
                        .map(e -> e.getKey() + (e.getValue() > 1 ? " ×" + e.getValue() : ""))
                        .collect(Collectors.joining(", ")))
                .append('.');
        for (var line : best) {
            var value = line.value().length() > LINE_CHARS ? line.value().substring(0, LINE_CHARS) + "…" : line.value();
            summary.append('\n').append("- ").append(line.key()).append(": ").append(value);
        }
        return summary.toString();
    }

    private static double weight(String value, Map<String, Integer> frequency) {
        var words = words(value);
        double sum = 0;
        for (String word : words) {
            sum += frequency.get(word);
        }
        return sum / Math.sqrt(words.size());
    }

    /** The words of a value worth counting: letters only, three or more, no stop words. */
    private static List<String> words(String value) {
        if (value.matches("(?i)[a-z]{1,3}-[a-z0-9]{8,}|[0-9a-f-]{16,}|\\d{4}-\\d\\d-\\d\\dT.*")) {
            return List.of(); // ids and times
        }
        return WORD.matcher(value.toLowerCase(Locale.ROOT))
                .results()
                .map(m -> m.group())
                .filter(w -> !STOP.contains(w))
                .distinct()
                .toList();
    }
}
