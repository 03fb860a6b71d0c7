package dev.aios.memory.internal;

import dev.aios.memory.Ranking;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * The text search of one recall: each query word stemmed (English) in an item's text and title, as
 * written in its text (names, codes, ids), and each pair of neighbouring words as a phrase. It also
 * says the query's shape: a short, exact-looking query leans on the text search.
 */
final class TextQuery {
    /** The most distinct terms a text query uses; the rest of a long query adds little. */
    static final int MAX_TERMS = 256;

    /** The most neighbouring pairs searched as phrases. */
    static final int MAX_PHRASES = 32;

    private static final Pattern CODE = Pattern.compile(".*(\\d|[\\p{L}][-_./#][\\p{L}\\d]).*");

    private final List<String> stems;
    private final List<String> words;
    private final boolean exactLooking;
    private final Query byWords;
    private final Optional<Query> phrases;

    private TextQuery(
            List<String> stems, List<String> words, boolean exactLooking, Query byWords, Optional<Query> phrases) {
        this.stems = stems;
        this.words = words;
        this.exactLooking = exactLooking;
        this.byWords = byWords;
        this.phrases = phrases;
    }

    /** The analyzer of the index: English (stemmed, no stop words), and words as written for {@code exact}. */
    static Analyzer analyzer() {
        Analyzer plain = new Analyzer() {
            @Override
            protected TokenStreamComponents createComponents(String field) {
                var source = new StandardTokenizer();
                return new TokenStreamComponents(source, new LowerCaseFilter(source));
            }
        };
        return new PerFieldAnalyzerWrapper(new EnglishAnalyzer(), Map.of(MemoryIndex.EXACT, plain));
    }

    static TextQuery of(String text, Analyzer analyzer, Ranking ranking) {
        var stems = new ArrayList<>(distinct(analyze(analyzer, MemoryIndex.TEXT, text)));
        var words = analyze(analyzer, MemoryIndex.EXACT, text);
        var stop = EnglishAnalyzer.ENGLISH_STOP_WORDS_SET;
        var content = words.stream().filter(w -> !stop.contains(w)).toList();
        boolean exactLooking = (!content.isEmpty() && content.size() <= 3)
                || List.of(text.strip().split("\\s+")).stream()
                        .anyMatch(w -> CODE.matcher(w).matches());
        if (stems.isEmpty() && content.isEmpty()) {
            return new TextQuery(List.of(), words, exactLooking, new BooleanQuery.Builder().build(), Optional.empty());
        }
        var query = new BooleanQuery.Builder();
        for (String stem : stems) {
            query.add(new TermQuery(new Term(MemoryIndex.TEXT, stem)), Occur.SHOULD);
        }
        if (ranking.titleBoost() > 0 && !stems.isEmpty()) {
            // A title is short, so one common word in it ("whale") would outweigh a whole sentence
            // found in a text: a title counts when it holds two of the query's words (or the only one).
            var title = new BooleanQuery.Builder().setMinimumNumberShouldMatch(Math.min(2, stems.size()));
            for (String stem : stems) {
                title.add(new TermQuery(new Term(MemoryIndex.TITLE, stem)), Occur.SHOULD);
            }
            query.add(boost(title.build(), ranking.titleBoost()), Occur.SHOULD);
        }
        if (ranking.exactBoost() > 0) {
            for (String word : distinct(content)) {
                query.add(boost(new TermQuery(new Term(MemoryIndex.EXACT, word)), ranking.exactBoost()), Occur.SHOULD);
            }
        }
        var phrases = new BooleanQuery.Builder();
        if (ranking.phraseBoost() > 0) {
            var pairs = new LinkedHashSet<String>();
            for (int i = 0; i + 1 < words.size() && pairs.size() < MAX_PHRASES; i++) {
                // A pair of two stop words ("of the") says nothing about an item.
                if (stop.contains(words.get(i)) && stop.contains(words.get(i + 1))) {
                    continue;
                }
                if (pairs.add(words.get(i) + ' ' + words.get(i + 1))) {
                    var phrase = new PhraseQuery(1, MemoryIndex.EXACT, words.get(i), words.get(i + 1));
                    phrases.add(boost(phrase, ranking.phraseBoost()), Occur.SHOULD);
                }
            }
        }
        var byPhrases = phrases.build();
        return new TextQuery(
                stems,
                words,
                exactLooking,
                query.build(),
                byPhrases.clauses().isEmpty() ? Optional.empty() : Optional.of(byPhrases));
    }

    private static Query boost(Query query, double boost) {
        return boost == 1 ? query : new BoostQuery(query, (float) boost);
    }

    /** Whether there is nothing to search for. */
    boolean isEmpty() {
        return stems.isEmpty() && words.isEmpty();
    }

    /** The stemmed terms searched, at most {@value #MAX_TERMS}. */
    List<String> stems() {
        return stems;
    }

    /** The words as written, in order. */
    List<String> words() {
        return words;
    }

    /** Whether the query is short or holds a code or number: then the text search weighs more. */
    boolean exactLooking() {
        return exactLooking;
    }

    /** The whole text search: the words and, when there are any, the phrases beside them. */
    Query query() {
        if (phrases.isEmpty()) {
            return byWords;
        }
        var query = new BooleanQuery.Builder();
        for (var clause : ((BooleanQuery) byWords).clauses()) {
            query.add(clause);
        }
        for (var clause : ((BooleanQuery) phrases.get()).clauses()) {
            query.add(clause);
        }
        return query.build();
    }

    /** The search by words alone: stemmed, in titles and as written. */
    Query byWords() {
        return byWords;
    }

    /** The neighbouring words searched as phrases, whose scores add to those of the words. */
    Optional<Query> phrases() {
        return phrases;
    }

    private static Set<String> distinct(List<String> terms) {
        var set = new LinkedHashSet<String>();
        for (String term : terms) {
            if (set.size() >= MAX_TERMS) {
                break;
            }
            set.add(term);
        }
        return set;
    }

    private static List<String> analyze(Analyzer analyzer, String field, String text) {
        var terms = new ArrayList<String>();
        try (var stream = analyzer.tokenStream(field, text)) {
            var term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken() && terms.size() < 4 * MAX_TERMS) {
                terms.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return terms;
    }
}
