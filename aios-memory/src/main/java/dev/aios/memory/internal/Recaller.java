package dev.aios.memory.internal;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Recall;
import dev.aios.kernel.spi.Handle;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.RecallPlan;
import dev.aios.memory.spi.Embedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hybrid recall: a BM25 search (stemmed words in text and title, words as written, neighbouring
 * words as phrases) and an HNSW search over the one index, within the query's filters; each search's
 * chunks grouped by item (an item ranks by its best chunk); the two item rankings fused (by scores
 * scaled to the best, or by reciprocal ranks; a short, exact-looking query leans on the text
 * search); then decay and
 * importance adjust the relevance by a bounded factor, so that they reorder near ties but never bury
 * a strong match ({@link Scoring}).
 */
final class Recaller {
    private static final Logger LOG = LoggerFactory.getLogger(Recaller.class);

    /** Embeds a query on its own virtual thread, beside the text search on the caller's. */
    private static final Executor EMBEDDING =
            task -> Thread.ofVirtual().name("memory-query-embedding").start(task);

    /** Below this cosine similarity a vector search result is taken as unrelated, not as a match. */
    static final double MIN_COSINE = 0.2;

    /** How many recent queries keep their vectors: the same question asked again is not embedded again. */
    static final int RECENT_QUERIES = 256;

    /** The vectors of the most recently embedded query texts, least recently asked dropped first. */
    private final Map<String, float[]> recentVectors =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>(RECENT_QUERIES, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                    return size() > RECENT_QUERIES;
                }
            });

    private final MemoryIndex index;
    private final ItemStore store;
    private final Optional<Embedder> embedder;
    private final MemorySettings settings;
    private final InstantSource clock;

    Recaller(
            MemoryIndex index,
            ItemStore store,
            Optional<Embedder> embedder,
            MemorySettings settings,
            InstantSource clock) {
        this.index = index;
        this.store = store;
        this.embedder = embedder;
        this.settings = settings;
        this.clock = clock;
    }

    Recall recall(MemoryQuery query) {
        try {
            if (query.text().isBlank()) {
                return newest(query);
            }
            var words = TextQuery.of(query.text(), index.analyzer(), settings.ranking());
            return search(query, words, plan(query, words));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search memory: " + e.getMessage(), e);
        }
    }

    /** How a query is searched: its terms, its shape and the weights that follow. */
    RecallPlan plan(MemoryQuery query) {
        var ranking = settings.ranking();
        if (query.text().isBlank()) {
            return new RecallPlan(List.of(), List.of(), false, 0, 0, fusion(ranking), ranking.depth(), ranking.rrfK());
        }
        return plan(query, TextQuery.of(query.text(), index.analyzer(), ranking));
    }

    private RecallPlan plan(MemoryQuery query, TextQuery words) {
        var ranking = settings.ranking();
        boolean meaning = embedder.isPresent()
                && (query.kinds().isEmpty() || query.kinds().stream().anyMatch(MemoryKind::embedded));
        return new RecallPlan(
                words.stems(),
                words.words(),
                words.exactLooking(),
                1,
                meaning ? (words.exactLooking() ? ranking.shortQueryMeaning() : ranking.meaning()) : 0,
                fusion(ranking),
                ranking.depth(),
                ranking.rrfK());
    }

    private static String fusion(dev.aios.memory.Ranking ranking) {
        return ranking.fusion().name().toLowerCase(java.util.Locale.ROOT);
    }

    private Recall search(MemoryQuery query, TextQuery words, RecallPlan plan) throws IOException {
        var ranking = settings.ranking();
        var filter = filter(query);
        // The query is embedded, and its nearest chunks searched, while the text search runs: the
        // two do not depend on each other.
        var nearestAhead = plan.meaningWeight() > 0
                ? CompletableFuture.supplyAsync(() -> nearest(query, filter, ranking.depth()), EMBEDDING)
                : CompletableFuture.completedFuture(Optional.<List<MemoryIndex.Found>>empty());
        var byText = index.byText(words, filter, ranking.depth());
        var candidates = new LinkedHashMap<String, Scoring.Candidate>();
        int rank = 0;
        for (var found : byText) {
            var c = candidates.computeIfAbsent(itemOf(found.key()), Scoring.Candidate::new);
            if (c.textRank == 0) {
                c.textRank = ++rank;
                c.textScore = found.score();
                c.textChunk = chunkOf(found.key());
            } else {
                c.otherChunks += found.score();
            }
        }
        if (ranking.chunkSum() > 0) {
            // An item's other chunks add to its best one's score, and the text ranks follow.
            var byScore = new ArrayList<>(candidates.values());
            for (var c : byScore) {
                c.textScore += (float) (ranking.chunkSum() * c.otherChunks);
            }
            byScore.sort(Comparator.comparingDouble((Scoring.Candidate c) -> c.textScore)
                    .reversed());
            for (int i = 0; i < byScore.size(); i++) {
                byScore.get(i).textRank = i + 1;
            }
        }
        var vector = nearest(nearestAhead);
        if (vector.isPresent()) {
            rank = 0;
            for (var found : vector.get()) {
                // Lucene scores unit vectors as (1 + cosine) / 2; nearest is not always near.
                double cosine = 2 * found.score() - 1;
                if (cosine < MIN_COSINE) {
                    break;
                }
                var c = candidates.computeIfAbsent(itemOf(found.key()), Scoring.Candidate::new);
                if (c.vectorRank == 0) {
                    c.vectorRank = ++rank;
                    c.cosine = cosine;
                    c.vectorChunk = chunkOf(found.key());
                }
            }
        }
        var textScores = candidates.values().stream()
                .filter(c -> c.textRank > 0)
                .mapToDouble(c -> c.textScore)
                .sorted()
                .toArray();
        double topText = textScores.length == 0 ? 0 : textScores[textScores.length - 1];
        double lead = textScores.length < 2 ? textScores.length : 1 - textScores[textScores.length - 2] / topText;
        double topCosine =
                candidates.values().stream().mapToDouble(c -> c.cosine).max().orElse(0);
        double lowCosine = candidates.values().stream()
                .filter(c -> c.vectorRank > 0)
                .mapToDouble(c -> c.cosine)
                .min()
                .orElse(MIN_COSINE);
        double floor =
                lowCosine < topCosine ? MIN_COSINE + ranking.meaningSpread() * (lowCosine - MIN_COSINE) : MIN_COSINE;
        var scoring = new Scoring(
                plan, vector.isPresent(), ranking, settings, clock.instant(), topText, topCosine, floor, lead);
        var hits = hydrateAndScore(scoring, new ArrayList<>(candidates.values()), query.k(), new HashMap<>());
        return new Recall(hits, vector.isPresent());
    }

    /** The chunks nearest to the query's vector, or nothing when the query could not be embedded. */
    private Optional<List<MemoryIndex.Found>> nearest(MemoryQuery query, Optional<Query> filter, int depth) {
        var vector = queryVector(query);
        if (vector.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(index.byVector(vector.get(), filter, depth));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search memory: " + e.getMessage(), e);
        }
    }

    /** What the vector search ahead found, its failure raised as it was. */
    private static Optional<List<MemoryIndex.Found>> nearest(
            CompletableFuture<Optional<List<MemoryIndex.Found>>> ahead) {
        try {
            return ahead.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw e;
        }
    }

    /**
     * Ranks the items that can still reach the top {@code k} after decay and importance (their
     * adjustment is bounded) by their rows, best first, and opens only the best {@code k} (and the
     * next ones when some of those were deleted or forgotten since the index saw them); ranks the
     * rest as well only when fewer than {@code k} are left.
     */
    private List<MemoryHit> hydrateAndScore(
            Scoring scoring, List<Scoring.Candidate> candidates, int k, Map<String, Rows.Standing> rows) {
        // The rows that rank the candidates and those of the hits shown are read in one transaction.
        return store.read(h -> hydrateAndScore(h, scoring, candidates, k, rows));
    }

    private List<MemoryHit> hydrateAndScore(
            Handle h, Scoring scoring, List<Scoring.Candidate> candidates, int k, Map<String, Rows.Standing> rows) {
        candidates.forEach(scoring::relevance);
        candidates.sort(
                Comparator.comparingDouble((Scoring.Candidate c) -> c.relevance).reversed());
        double floor = candidates.size() > k
                ? candidates.get(k - 1).relevance * scoring.minAdjustment() / scoring.maxAdjustment()
                : 0;
        var reachable = new ArrayList<Scoring.Candidate>();
        var rest = new ArrayList<Scoring.Candidate>();
        for (var c : candidates) {
            (c.upper >= floor ? reachable : rest).add(c);
        }
        var hits = best(h, scoring, reachable, k, rows);
        if (hits.size() < k && !rest.isEmpty()) {
            reachable.addAll(rest); // some were deleted since the index saw them
            hits = best(h, scoring, reachable, k, rows);
        }
        return hits;
    }

    /**
     * The best {@code k} hits among {@code candidates}: ranked by their items' rows (nothing sealed
     * opened), then the first ones opened until {@code k} are found, in the order their scores give.
     * The rows already read ({@code rows}) are not read again; the others are added to them.
     */
    private List<MemoryHit> best(
            Handle h, Scoring scoring, List<Scoring.Candidate> candidates, int k, Map<String, Rows.Standing> rows) {
        var unread = candidates.stream()
                .map(c -> c.itemId)
                .filter(id -> !rows.containsKey(id))
                .toList();
        if (!unread.isEmpty()) {
            rows.putAll(store.standings(h, unread));
        }
        var ranked = new ArrayList<Ranked>(rows.size());
        for (var c : candidates) {
            var row = rows.get(c.itemId);
            if (row != null) {
                ranked.add(new Ranked(c, scoring.standing(c, row)));
            }
        }
        ranked.sort(Comparator.comparingDouble((Ranked r) -> r.standing().score())
                .reversed()
                .thenComparing(r -> -r.standing().shownRelevance()));
        var hits = firstFound(h, scoring, ranked.stream().map(Ranked::candidate).toList(), k);
        // The order of the opened items' own scores: the same as their rows gave.
        hits.sort(Comparator.comparingDouble(MemoryHit::score).reversed().thenComparing(hit -> -hit.why()
                .relevance()));
        return hits;
    }

    /** A candidate with its standing by its item's row. */
    private record Ranked(Scoring.Candidate candidate, Scoring.Standing standing) {}

    /**
     * The hits of the first {@code k} of {@code candidates} (in their order) still in the tables:
     * opened a few at a time, so that only what is shown is decrypted.
     */
    private List<MemoryHit> firstFound(Handle h, Scoring scoring, List<Scoring.Candidate> candidates, int k) {
        var hits = new ArrayList<MemoryHit>(k);
        int next = 0;
        while (hits.size() < k && next < candidates.size()) {
            int end = Math.min(candidates.size(), next + k - hits.size());
            hits.addAll(score(h, scoring, candidates.subList(next, end)));
            next = end;
        }
        return hits;
    }

    /** No words to search for: the newest items within the filters. */
    private Recall newest(MemoryQuery query) throws IOException {
        var candidates = new LinkedHashMap<String, Scoring.Candidate>();
        for (var found : index.newest(filter(query), Math.min(4 * query.k(), 400))) {
            var c = candidates.computeIfAbsent(itemOf(found.key()), Scoring.Candidate::new);
            if (c.textChunk < 0) {
                c.textChunk = chunkOf(found.key());
            }
        }
        var scoring =
                new Scoring(plan(query), false, settings.ranking(), settings, clock.instant(), 0, 0, MIN_COSINE, 0);
        var hits = store.read(h -> firstFound(h, scoring, new ArrayList<>(candidates.values()), query.k()));
        return new Recall(hits, false);
    }

    private Optional<float[]> queryVector(MemoryQuery query) {
        var known = recentVectors.get(query.text());
        if (known != null) {
            return Optional.of(known);
        }
        try {
            var vector = embedder.orElseThrow().embed(List.of(query.text())).getFirst();
            recentVectors.put(query.text(), vector);
            return Optional.of(vector);
        } catch (RuntimeException e) {
            LOG.warn("memory could not embed a query, so it searched by text only: {}", e.toString());
            return Optional.empty();
        }
    }

    /** One hit per candidate still in the tables, in candidate order. */
    private List<MemoryHit> score(Handle h, Scoring scoring, List<Scoring.Candidate> candidates) {
        var chunks = new HashMap<String, Set<Integer>>();
        for (var c : candidates) {
            chunks.put(c.itemId, Set.of(c.shownChunk()));
        }
        var items = store.hydrate(h, chunks);
        var hits = new ArrayList<MemoryHit>();
        for (var candidate : candidates) {
            var found = items.get(candidate.itemId);
            if (found == null || !found.chunks().containsKey(candidate.shownChunk())) {
                continue; // deleted or forgotten since the index saw it
            }
            hits.add(scoring.hit(candidate, found));
        }
        return hits;
    }

    /** The id the outside knows an item by: a knowledge record's own id. */
    static String publicId(Rows.Item item) {
        return item.kind() == MemoryKind.KNOWLEDGE ? KnowledgeStore.recordId(item.id()) : item.id();
    }

    private static String itemOf(String key) {
        return key.substring(0, key.lastIndexOf('#'));
    }

    private static int chunkOf(String key) {
        return Integer.parseInt(key.substring(key.lastIndexOf('#') + 1));
    }

    /** The query's filters, or nothing when it has none (searches then skip filtering altogether). */
    private Optional<Query> filter(MemoryQuery query) {
        var filter = new BooleanQuery.Builder();
        boolean any = false;
        if (query.subject().isPresent()) {
            filter.add(
                    new TermQuery(new Term(MemoryIndex.SUBJECT, query.subject().get())), Occur.FILTER);
            any = true;
        }
        if (!query.kinds().isEmpty()) {
            var kinds = query.kinds().stream().map(k -> new BytesRef(k.wire())).toList();
            filter.add(new TermInSetQuery(MemoryIndex.KIND, kinds), Occur.FILTER);
            any = true;
        }
        if (query.from().isPresent() || query.to().isPresent()) {
            long from = query.from().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
            long to = query.to().map(t -> t.toEpochMilli() - 1).orElse(Long.MAX_VALUE);
            filter.add(LongPoint.newRangeQuery(MemoryIndex.AT, from, to), Occur.FILTER);
            any = true;
        }
        return any ? Optional.of(filter.build()) : Optional.empty();
    }
}
