package dev.aios.kernel.internal.playbook;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/** Suggestions for misspelled names: "did you mean …?". */
final class Names {

    private Names() {}

    /** The candidate closest to {@code name}, if it is close enough to be a likely typo. */
    static Optional<String> closest(String name, Collection<String> candidates) {
        int limit = Math.max(1, Math.min(3, name.length() / 3));
        return candidates.stream()
                .filter(candidate -> {
                    int d = distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
                    // short names are all close to one another: suggest only when most of the name matches
                    return d <= limit && d * 2 < Math.max(name.length(), candidate.length());
                })
                .min(Comparator.comparingInt(candidate -> distance(name, candidate)));
    }

    /** {@code " (did you mean 'x'?)"}, or nothing. */
    static String didYouMean(String name, Collection<String> candidates) {
        return closest(name, candidates)
                .map(c -> " (did you mean '" + c + "'?)")
                .orElse("");
    }

    /** The names joined by commas, at most 20 of them. */
    static String list(Collection<String> names) {
        var shown = names.stream().limit(20).toList();
        var text = String.join(", ", shown);
        return names.size() > shown.size() ? text + ", … (" + names.size() + " in all)" : text;
    }

    private static int distance(String a, String b) {
        var previous = new int[b.length() + 1];
        var current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            var swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
