package dev.aios.bench.recall;

import dev.aios.api.MemoryKind;
import dev.aios.bench.recall.Corpus.Item;
import dev.aios.memory.MemorySettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.en.EnglishAnalyzer;

/**
 * The query sets of the recall evaluation, built from a corpus with a fixed seed, each query with its
 * one right answer (the item it was made from):
 *
 * <ul>
 *   <li><b>title</b>: an item's heading as an operator would say it ("The Carpet-Bag", "Kennedy 1962
 *       State of the Union") → the item that carries it;
 *   <li><b>known-item</b>: a sentence of the item, its first 12 (short texts) or 15 words;
 *   <li><b>paraphrase</b>: two sentences of the item in other words: every word found in the synonym
 *       list shipped with the bench ({@code recall-synonyms.txt}) replaced by one of its
 *       alternatives, of the other words 80 % of function words and half of the rest dropped, the
 *       words rotated at a random cut and a quarter of neighbouring pairs swapped, at most 12 words;
 *   <li><b>reworded</b>: one sentence of the item said in other words: its clauses (split at
 *       {@code , ; : ( )} and dashes) in another order, rotated at a random cut; every word found in
 *       the shipped lists replaced by one of its alternatives (the hand-made {@code
 *       recall-synonyms.txt} first, else {@code recall-wordnet-synonyms.txt}: the other words of its
 *       most frequent WordNet sense); of the other words 60 % of function words dropped and the rest
 *       kept (names and rare words stay, as someone who remembers the passage would keep them); at
 *       most 16 words;
 *   <li><b>written</b>: a passage of the item described in other words, as an operator who remembers
 *       its gist would type it: written once by a language model and checked in with the corpus
 *       version ({@link WrittenQueries});
 *   <li><b>filtered</b>: the first 8 words of a sentence, with the item's subject, its kind, a
 *       60-day window around its time, or all three;
 *   <li><b>old</b>: known-item queries for items older than three half-lives of their kind.
 * </ul>
 */
public final class Queries {
    /** Queries per set. */
    public static final int PER_SET = 200;

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[\"“‘A-Z])");
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}][\\p{L}\\p{N}'’-]*");
    static final Set<String> STOP = Set.of(
            "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
            "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
            "will", "with", "i", "we", "our", "you", "he", "his", "him", "she", "her", "my", "me", "which", "who",
            "have", "has", "had", "been", "were", "so", "all", "from", "its", "would", "should", "shall", "may", "upon",
            "than", "those", "what", "when");

    /**
     * One query with its answer.
     *
     * @param set which set it belongs to
     * @param text what is searched for
     * @param answer the id of the one item it should find
     * @param subject a subject filter
     * @param kind a kind filter
     * @param from a time filter: from
     * @param to a time filter: until before
     */
    public record Query(
            String set,
            String text,
            String answer,
            Optional<String> subject,
            Optional<MemoryKind> kind,
            Optional<Instant> from,
            Optional<Instant> to) {

        static Query of(String set, String text, String answer) {
            return new Query(set, text, answer, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        }

        /** Whether {@code item} passes this query's filters. */
        public boolean admits(Item item) {
            return subject.map(item.subject()::equals).orElse(true)
                    && kind.map(k -> k == item.kind()).orElse(true)
                    && from.map(f -> !item.at().isBefore(f)).orElse(true)
                    && to.map(t -> item.at().isBefore(t)).orElse(true);
        }
    }

    /** The names of the sets, in report order. */
    public static final List<String> SETS =
            List.of("title", "known-item", "paraphrase", "reworded", WrittenQueries.SET, "filtered", "old");

    private static final Pattern CLAUSE = Pattern.compile("\\s*(?:[,;:()]|--|—|–)\\s*");

    private final Map<String, List<String>> synonyms;
    private final Map<String, List<String>> wordnet;

    Queries(Map<String, List<String>> synonyms, Map<String, List<String>> wordnet) {
        this.synonyms = synonyms;
        this.wordnet = wordnet;
    }

    /** With the synonym lists shipped with the bench. */
    public static Queries withShippedSynonyms() {
        return new Queries(synonyms("recall-synonyms.txt"), synonyms("recall-wordnet-synonyms.txt"));
    }

    /**
     * Every set for {@code corpus}, at most {@code perSet} queries each; the same every time. {@code
     * whole} says the corpus is not cut (a smoke run's is), so every written query's item must be in it.
     */
    public Map<String, List<Query>> build(Corpus corpus, int perSet, Instant now, boolean whole) {
        var sets = new java.util.LinkedHashMap<String, List<Query>>();
        long seed = corpus.name().hashCode();
        var items = corpus.items();
        sets.put("title", titles(corpus, perSet));
        sets.put("known-item", knownItems("known-item", sample(items, perSet, seed + 1, i -> true), seed + 2));
        sets.put("paraphrase", paraphrases(sample(items, perSet, seed + 3, i -> true), seed + 4));
        sets.put("reworded", reworded(sample(items, perSet, seed + 9, i -> true), seed + 10));
        var written = WrittenQueries.load(corpus, whole);
        sets.put(WrittenQueries.SET, written.subList(0, Math.min(perSet, written.size())));
        sets.put("filtered", filtered(sample(items, perSet, seed + 5, i -> true), seed + 6));
        var defaults = MemorySettings.defaults().retention();
        Predicate<Item> old = item -> defaults.get(item.kind())
                .halfLife()
                .map(h -> Duration.between(item.at(), now).compareTo(h.multipliedBy(3)) > 0)
                .orElse(false);
        sets.put("old", knownItems("old", sample(items, perSet, seed + 7, old), seed + 8));
        sets.values().removeIf(List::isEmpty);
        return sets;
    }

    private List<Query> titles(Corpus corpus, int perSet) {
        var queries = new ArrayList<Query>();
        for (var item : corpus.items()) {
            if (item.title().isEmpty()) {
                continue;
            }
            String title = item.title();
            String text;
            if (title.startsWith("State of the Union Address, ")) {
                // "State of the Union Address, 1962, John F Kennedy" → "Kennedy 1962 State of the Union"
                var parts =
                        title.substring("State of the Union Address, ".length()).split(", ", 2);
                var names = parts[1].split(" ");
                text = names[names.length - 1] + " " + parts[0] + " State of the Union";
            } else {
                // "CHAPTER 2. The Carpet-Bag." → "The Carpet-Bag"
                text = title.replaceFirst("^CHAPTER \\d+\\. ", "").replaceFirst("\\.$", "");
            }
            queries.add(Query.of("title", text, item.id()));
        }
        Collections.shuffle(queries, new Random(corpus.name().hashCode()));
        return queries.subList(0, Math.min(perSet, queries.size()));
    }

    private List<Query> knownItems(String set, List<Item> items, long seed) {
        var random = new Random(seed);
        var queries = new ArrayList<Query>();
        for (var item : items) {
            var sentences = sentences(item.body());
            boolean shortText = sentences.size() < 8;
            String sentence = shortText ? sentences.getFirst() : sentences.get(random.nextInt(sentences.size()));
            queries.add(Query.of(set, words(sentence, shortText ? 12 : 15), item.id()));
        }
        return queries;
    }

    private List<Query> paraphrases(List<Item> items, long seed) {
        var random = new Random(seed);
        var queries = new ArrayList<Query>();
        for (var item : items) {
            var sentences = sentences(item.body());
            int start = sentences.size() < 8 ? 0 : random.nextInt(sentences.size() - 1);
            String passage = String.join(" ", sentences.subList(start, Math.min(sentences.size(), start + 2)));
            queries.add(Query.of("paraphrase", paraphrase(passage, random), item.id()));
        }
        return queries;
    }

    /** The documented transformation: replace from the synonym list, drop, reorder, cut to 12 words. */
    String paraphrase(String passage, Random random) {
        var out = new ArrayList<String>();
        var matcher = WORD.matcher(passage.toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            String word = matcher.group().replace('’', '\'');
            boolean stop = STOP.contains(word) || EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.contains(word);
            var alternatives = synonyms.get(word);
            if (alternatives != null) {
                out.add(alternatives.get(random.nextInt(alternatives.size())));
            } else if (random.nextDouble() >= (stop ? 0.8 : 0.5)) {
                out.add(word);
            }
        }
        if (out.size() > 3) {
            // Rotate at a random cut, then swap a few neighbours: the same content in another order.
            Collections.rotate(out, random.nextInt(out.size()));
            for (int i = 0; i + 1 < out.size(); i++) {
                if (random.nextDouble() < 0.25) {
                    Collections.swap(out, i, i + 1);
                    i++;
                }
            }
        }
        return String.join(" ", out.subList(0, Math.min(12, out.size())));
    }

    private List<Query> reworded(List<Item> items, long seed) {
        var random = new Random(seed);
        var queries = new ArrayList<Query>();
        for (var item : items) {
            var sentences = sentences(item.body());
            var long_ = sentences.stream().filter(x -> wordCount(x) >= 10).toList();
            var pool = long_.isEmpty() ? sentences : long_;
            String sentence = pool.size() < 2 ? pool.getFirst() : pool.get(random.nextInt(pool.size()));
            queries.add(Query.of("reworded", reword(sentence, random), item.id()));
        }
        return queries;
    }

    /** The documented sentence-level transformation: reorder clauses, say every known word otherwise. */
    String reword(String sentence, Random random) {
        var clauses = new ArrayList<>(Arrays.asList(CLAUSE.split(sentence.toLowerCase(Locale.ROOT))));
        clauses.removeIf(String::isBlank);
        if (clauses.size() > 1) {
            Collections.rotate(clauses, 1 + random.nextInt(clauses.size() - 1));
        }
        var out = new ArrayList<String>();
        for (String clause : clauses) {
            var matcher = WORD.matcher(clause);
            while (matcher.find()) {
                String word = matcher.group().replace('’', '\'');
                boolean stop = STOP.contains(word) || EnglishAnalyzer.ENGLISH_STOP_WORDS_SET.contains(word);
                var alternatives = synonyms.getOrDefault(word, wordnet.get(word));
                if (alternatives != null && !stop) {
                    out.add(alternatives.get(random.nextInt(alternatives.size())));
                } else if (!stop || random.nextDouble() >= 0.6) {
                    out.add(word);
                }
            }
        }
        return String.join(" ", out.subList(0, Math.min(16, out.size())));
    }

    private List<Query> filtered(List<Item> items, long seed) {
        var random = new Random(seed);
        var queries = new ArrayList<Query>();
        for (int j = 0; j < items.size(); j++) {
            var item = items.get(j);
            var sentences = sentences(item.body());
            String sentence = sentences.get(random.nextInt(sentences.size()));
            var base = Query.of("filtered", words(sentence, 8), item.id());
            var window = Duration.ofDays(30);
            Optional<String> subject = j % 4 == 0 || j % 4 == 3 ? Optional.of(item.subject()) : Optional.empty();
            Optional<MemoryKind> kind = j % 4 == 1 || j % 4 == 3 ? Optional.of(item.kind()) : Optional.empty();
            boolean time = j % 4 == 2 || j % 4 == 3;
            queries.add(new Query(
                    base.set(),
                    base.text(),
                    base.answer(),
                    subject,
                    kind,
                    time ? Optional.of(item.at().minus(window)) : Optional.empty(),
                    time ? Optional.of(item.at().plus(window)) : Optional.empty()));
        }
        return queries;
    }

    private static List<Item> sample(List<Item> items, int n, long seed, Predicate<Item> which) {
        var eligible = new ArrayList<Item>();
        for (var item : items) {
            if (which.test(item) && sentences(item.body()).stream().anyMatch(s -> wordCount(s) >= 5)) {
                eligible.add(item);
            }
        }
        Collections.shuffle(eligible, new Random(seed));
        return eligible.subList(0, Math.min(n, eligible.size()));
    }

    /** The sentences of {@code text} that have at least five words. */
    static List<String> sentences(String text) {
        var all = Arrays.stream(SENTENCE_END.split(text))
                .map(String::strip)
                .filter(s -> wordCount(s) >= 5)
                .toList();
        return all.isEmpty() ? List.of(text) : all;
    }

    private static int wordCount(String text) {
        return text.isBlank() ? 0 : text.strip().split("\\s+").length;
    }

    private static String words(String sentence, int max) {
        var words = sentence.strip().split("\\s+");
        return String.join(" ", Arrays.asList(words).subList(0, Math.min(max, words.length)));
    }

    /** Reads a synonym list: {@code word: alternative, alternative} per line, {@code #} comments. */
    static Map<String, List<String>> synonyms(String resource) {
        var map = new HashMap<String, List<String>>();
        var stream = Objects.requireNonNull(
                Queries.class.getResourceAsStream("/" + resource), "the bench's " + resource + " is missing");
        try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                line = line.strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                var alternatives = Arrays.stream(line.substring(colon + 1).split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .toList();
                map.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), alternatives);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
