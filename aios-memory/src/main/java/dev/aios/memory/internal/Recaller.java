package dev.aios.memory.internal;

import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Recall;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.spi.Embedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hybrid recall: BM25 and HNSW searches over the one index, within the query's filters, fused by
 * reciprocal rank fusion; then each item's score is its relevance × decay (half-life of its kind,
 * counted from when it was stored or last used) × importance weight (0.5 + importance).
 */
final class Recaller {
    private static final Logger LOG = LoggerFactory.getLogger(Recaller.class);

    /** The rank constant of reciprocal rank fusion; 60 is the value of the original paper. */
    static final int RRF_K = 60;

    /** Below this cosine similarity a vector search result is taken as unrelated, not as a match. */
    static final double MIN_COSINE = 0.2;

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

    private static final class Candidate {
        final String itemId;
        final int chunk;
        int textRank;
        int vectorRank;

        Candidate(String key) {
            int hash = key.lastIndexOf('#');
            this.itemId = key.substring(0, hash);
            this.chunk = Integer.parseInt(key.substring(hash + 1));
        }

        double rrf() {
            return (textRank > 0 ? 1.0 / (RRF_K + textRank) : 0) + (vectorRank > 0 ? 1.0 / (RRF_K + vectorRank) : 0);
        }
    }

    Recall recall(MemoryQuery query) {
        try {
            return query.text().isBlank() ? newest(query) : search(query);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot search memory: " + e.getMessage(), e);
        }
    }

    private Recall search(MemoryQuery query) throws IOException {
        var filter = filter(query);
        int pool = Math.min(Math.max(4 * query.k(), 50), 400);
        var candidates = new LinkedHashMap<String, Candidate>();
        var byText = index.byText(query.text(), filter, pool);
        for (int i = 0; i < byText.size(); i++) {
            candidates.computeIfAbsent(byText.get(i).key(), Candidate::new).textRank = i + 1;
        }
        var vector = queryVector(query);
        if (vector.isPresent()) {
            var byVector = index.byVector(vector.get(), filter, pool);
            for (int i = 0; i < byVector.size(); i++) {
                // Lucene scores unit vectors as (1 + cosine) / 2; nearest is not always near.
                if (2 * byVector.get(i).score() - 1 < MIN_COSINE) {
                    break;
                }
                candidates.computeIfAbsent(byVector.get(i).key(), Candidate::new).vectorRank = i + 1;
            }
        }
        var hits = score(candidates.values(), vector.isPresent(), false);
        hits.sort(Comparator.comparingDouble(MemoryHit::score).reversed());
        return new Recall(hits.subList(0, Math.min(query.k(), hits.size())), vector.isPresent());
    }

    /** No words to search for: the newest items within the filters. */
    private Recall newest(MemoryQuery query) throws IOException {
        var candidates = new LinkedHashMap<String, Candidate>();
        for (var found : index.newest(filter(query), Math.min(4 * query.k(), 400))) {
            candidates.computeIfAbsent(found.key(), Candidate::new);
        }
        var hits = score(candidates.values(), false, true);
        return new Recall(hits.subList(0, Math.min(query.k(), hits.size())), false);
    }

    private Optional<float[]> queryVector(MemoryQuery query) {
        if (embedder.isEmpty()
                || (!query.kinds().isEmpty() && query.kinds().stream().noneMatch(MemoryKind::embedded))) {
            return Optional.empty();
        }
        try {
            return Optional.of(embedder.get().embed(List.of(query.text())).getFirst());
        } catch (RuntimeException e) {
            LOG.warn("memory could not embed a query, so it searched by text only: {}", e.toString());
            return Optional.empty();
        }
    }

    /** One hit per item (its best chunk), in candidate order. */
    private List<MemoryHit> score(java.util.Collection<Candidate> candidates, boolean byMeaning, boolean browsing) {
        var chunks = new HashMap<String, Set<Integer>>();
        candidates.forEach(
                c -> chunks.computeIfAbsent(c.itemId, id -> new TreeSet<>()).add(c.chunk));
        var items = store.hydrate(chunks);
        Instant now = clock.instant();
        var best = new LinkedHashMap<String, MemoryHit>();
        for (var candidate : candidates) {
            var found = items.get(candidate.itemId);
            if (found == null || !found.chunks().containsKey(candidate.chunk)) {
                continue; // deleted or forgotten since the index saw it
            }
            var item = found.item();
            int searches = byMeaning && item.kind().embedded() ? 2 : 1;
            double relevance = browsing ? 1 : candidate.rrf() * (RRF_K + 1) / searches;
            var since = found.usedAt().filter(u -> u.isAfter(item.createdAt())).orElse(item.createdAt());
            var age = Duration.between(since, now);
            var halfLife = settings.retention().get(item.kind()).halfLife();
            double decay = halfLife.map(h -> Math.pow(0.5, Math.max(0, age.toMillis()) / (double) h.toMillis()))
                    .orElse(1.0);
            double score = relevance * decay * (0.5 + item.importance());
            var why = new MemoryHit.Why(
                    candidate.textRank > 0 ? OptionalInt.of(candidate.textRank) : OptionalInt.empty(),
                    candidate.vectorRank > 0 ? OptionalInt.of(candidate.vectorRank) : OptionalInt.empty(),
                    round(relevance),
                    round(decay),
                    item.importance(),
                    explain(
                            candidate,
                            browsing,
                            relevance,
                            decay,
                            age,
                            found.usedAt().isPresent(),
                            halfLife,
                            item.importance()));
            var hit = new MemoryHit(
                    publicId(item),
                    item.version(),
                    candidate.chunk,
                    item.kind(),
                    item.subject(),
                    item.createdAt(),
                    found.chunks().get(candidate.chunk),
                    item.metadata(),
                    round(score),
                    why);
            var kept = best.get(item.id());
            if (kept == null || kept.score() < hit.score()) {
                best.put(item.id(), hit);
            }
        }
        return new ArrayList<>(best.values());
    }

    /** The id the outside knows an item by: a knowledge record's own id. */
    static String publicId(Rows.Item item) {
        return item.kind() == MemoryKind.KNOWLEDGE ? KnowledgeStore.recordId(item.id()) : item.id();
    }

    private static String explain(
            Candidate candidate,
            boolean browsing,
            double relevance,
            double decay,
            Duration age,
            boolean used,
            Optional<Duration> halfLife,
            double importance) {
        var why = new StringBuilder();
        if (browsing) {
            why.append("no words to search for: newest first");
        } else {
            var ranks = new ArrayList<String>();
            if (candidate.textRank > 0) {
                ranks.add("text rank " + candidate.textRank);
            }
            if (candidate.vectorRank > 0) {
                ranks.add("meaning rank " + candidate.vectorRank);
            }
            why.append(String.join(", ", ranks)).append(" → relevance ").append(fmt(relevance));
        }
        why.append("; ")
                .append(used ? "used " : "stored ")
                .append(Durations.words(age))
                .append(" ago");
        why.append(halfLife.map(h -> ", half-life " + Durations.words(h) + " → decay " + fmt(decay))
                .orElse(", no decay"));
        why.append("; importance ").append(fmt(importance)).append(" → ×").append(fmt(0.5 + importance));
        return why.toString();
    }

    private Query filter(MemoryQuery query) {
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
        return any ? filter.build() : new MatchAllDocsQuery();
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
