package dev.aios.memory.internal;

import dev.aios.memory.internal.Rows.Doc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryRescorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.NRTCachingDirectory;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Lucene index of memory: every chunk's text for BM25, and the vectors of embedded chunks in
 * an HNSW graph, with subject, kind and time for filters. It is derived from memory's tables: its
 * commit records how far it caught up with them, and it is rebuilt when missing or made for another
 * embedding model.
 */
final class MemoryIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryIndex.class);

    static final String KEY = "key";
    static final String ITEM = "item";
    static final String SUBJECT = "subject";
    static final String KIND = "kind";
    static final String AT = "at";
    static final String TEXT = "text";
    static final String EXACT = "exact";
    static final String TITLE = "title";
    static final String VECTOR = "vector";

    /**
     * Raised when the index's layout changes, so that an older index is rebuilt from the tables (with
     * their stored vectors: nothing is embedded again). 2: words as written beside the stemmed ones,
     * and the title of an item on its first chunk. 3: each chunk's key in doc values, read for every
     * document a search finds (reading it from stored fields opened a compressed block per document).
     */
    static final String FORMAT = "3";

    /**
     * The format a rebuild commits before it starts filling the index: never usable, so that a rebuild
     * that did not finish (the process stopped, the machine went down) is started again, not taken as
     * complete.
     */
    static final String INCOMPLETE = "incomplete";

    /** Up to this many chunks, the phrases of a text search are scored with its words, in one pass. */
    static final int SCORED_AT_ONCE = 20_000;

    /** How many chunks per one asked for the phrases are scored for, in a larger index. */
    static final int PHRASE_POOL = 10;

    /**
     * At most this many segments are left by a merge when the index is idle: the largest, and one
     * holding what arrived since it was made, plus one that arrives meanwhile.
     */
    static final int SEGMENTS_KEPT = 3;

    /**
     * When the segments beside the largest hold at least this share of the chunks, an idle merge
     * makes one segment of all of them.
     */
    static final double MERGED_WHOLE = 0.1;

    /** Segments up to this size, flushed or merged, are kept in memory until the index commits. */
    private static final double CACHED_SEGMENT_MB = 4;

    /** The most memory those segments take; beyond it they are written as files at once. */
    private static final double CACHED_MB = 32;

    /** A document found by a search, with its rank-defining score. */
    record Found(String key, float score) {}

    private final Path path;
    private final java.util.function.UnaryOperator<Directory> files;
    private final Analyzer analyzer = TextQuery.analyzer();
    /** The open index: replaced whole when it is reopened after Lucene closed its writer ({@link #reopen}). */
    private volatile Handles handles;

    /** Changes made through the writer so far; each is counted once it is made. */
    private final AtomicLong written = new AtomicLong();
    /** How many of those the searches see: all that were counted when the last refresh began. */
    private final AtomicLong searchable = new AtomicLong();

    private final String model;
    private final boolean fresh;
    private final long applied;
    private final boolean purgePending;
    private final String follower;
    private final String staleBecause;

    private MemoryIndex(Path path, String model, java.util.function.UnaryOperator<Directory> files) throws IOException {
        this.path = path;
        this.model = model;
        this.files = files;
        var opened = Handles.open(path, model, files);
        this.handles = opened.handles();
        this.staleBecause = opened.staleBecause();
        boolean usable = staleBecause.isEmpty();
        this.fresh = !usable;
        this.applied = opened.applied();
        this.purgePending = opened.purgePending();
        // An index rebuilt for another model or format keeps its name: it follows the same tables.
        this.follower = Optional.ofNullable(opened.committed().get("follower"))
                .orElseGet(() -> java.util.UUID.randomUUID().toString());
    }

    /** The index's files, its writer and the searches of what it wrote: one opening of the index. */
    private record Handles(Directory directory, IndexWriter writer, SearcherManager searchers) {

        /** The opening, with what its last commit recorded. */
        record Opened(Handles handles, Map<String, String> committed, String staleBecause) {
            long applied() {
                return staleBecause.isEmpty() ? Long.parseLong(committed.getOrDefault("applied", "0")) : 0;
            }

            boolean purgePending() {
                return staleBecause.isEmpty() && "pending".equals(committed.get("purge"));
            }
        }

        static Opened open(Path path, String model, java.util.function.UnaryOperator<Directory> files)
                throws IOException {
            Files.createDirectories(path);
            // A search after stores refreshes the index so that what they stored is found by words
            // (see stale()), and each refresh writes a small segment: written as files, that took most
            // of a store's time when every store refreshed (creating, mapping and unmapping a dozen
            // files). Small segments stay in memory until the next commit or a merge makes them large;
            // the index is derived, so nothing is lost that a file not yet committed would have kept.
            var directory = files.apply(new SegmentCache(FSDirectory.open(path)));
            try {
                boolean existed = DirectoryReader.indexExists(directory);
                Map<String, String> committed = lastCommit(directory, path);
                String staleBecause = staleBecause(existed, committed, model);
                boolean usable = staleBecause.isEmpty();
                var merges = new TieredMergePolicy();
                // Forgetting must leave no term of the forgotten subject on disk: merge away every deletion.
                merges.setForceMergeDeletesPctAllowed(0);
                var config = new IndexWriterConfig(TextQuery.analyzer())
                        .setOpenMode(
                                usable
                                        ? IndexWriterConfig.OpenMode.CREATE_OR_APPEND
                                        : IndexWriterConfig.OpenMode.CREATE)
                        .setMergePolicy(new IdleMerges(merges))
                        // A refresh's one-document segment is kept as its files: a compound file copied
                        // them all once more on every store. Merges still make compound files of small
                        // segments.
                        .setUseCompoundFile(false)
                        .setRAMBufferSizeMB(32);
                var writer = new IndexWriter(directory, config);
                return new Opened(
                        new Handles(directory, writer, new SearcherManager(writer, null)), committed, staleBecause);
            } catch (IOException | RuntimeException e) {
                directory.close();
                throw e;
            }
        }

        /** Closes this opening; what was not committed is dropped (it is applied again from the tables). */
        void close() throws IOException {
            try {
                searchers.close();
                writer.rollback();
            } finally {
                directory.close();
            }
        }
    }

    /**
     * Keeps small segments in memory until the index commits ({@link NRTCachingDirectory}), and also
     * the files a segment writes before Lucene knows its size: its stored fields and field infos,
     * which Lucene writes with no size given, so that its cache sent them to disk, and every store
     * created, mapped, unmapped and deleted them. Those are cached while the cache is within its
     * bound; they are at most what one segment in memory holds (the writer's 32 MB buffer).
     */
    private static final class SegmentCache extends NRTCachingDirectory {
        SegmentCache(Directory files) {
            super(files, CACHED_SEGMENT_MB, CACHED_MB);
        }

        @Override
        protected boolean doCacheWrite(String name, org.apache.lucene.store.IOContext context) {
            if (super.doCacheWrite(name, context)) {
                return true;
            }
            // Segment files start with '_'; the commit's own files (segments_N) are never cached.
            return context.mergeInfo() == null
                    && context.flushInfo() == null
                    && name.startsWith("_")
                    && ramBytesUsed() <= CACHED_MB * 1024 * 1024;
        }
    }

    /** Why an index with {@code committed} cannot be used for {@code model}; empty when it can. */
    private static String staleBecause(boolean existed, Map<String, String> committed, String model) {
        if (committed.isEmpty()) {
            return existed ? "the index could not be read" : "the index is missing";
        }
        String format = committed.getOrDefault("format", "1");
        if (format.equals(INCOMPLETE)) {
            return "an earlier rebuild did not finish";
        }
        if (!format.equals(FORMAT)) {
            return "format " + format + " \u2192 " + FORMAT;
        }
        String before = committed.getOrDefault("model", "none");
        return before.equals(model) ? "" : "model " + before + " \u2192 " + model;
    }

    /**
     * What the index's last commit recorded, or nothing when there is no index or this version of
     * Lucene cannot read it (written by an older or newer aios, or damaged): then its files are
     * removed, and the index is rebuilt from the tables like a missing one.
     */
    private static Map<String, String> lastCommit(Directory directory, Path path) throws IOException {
        if (!DirectoryReader.indexExists(directory)) {
            return Map.of();
        }
        try {
            return SegmentInfos.readLatestCommit(directory).getUserData();
        } catch (IndexFormatTooOldException | IndexFormatTooNewException | CorruptIndexException e) {
            LOG.warn(
                    "the memory index in {} cannot be read ({}); it is rebuilt from memory's tables",
                    path,
                    e.getMessage());
            for (String file : directory.listAll()) {
                directory.deleteFile(file);
            }
            return Map.of();
        }
    }

    /**
     * Opens the index in {@code path}, or starts an empty one when there is none, or it was made by
     * another version or for another embedding {@code model} ({@link #fresh()} then says so).
     */
    static MemoryIndex open(Path path, String model) {
        return open(path, model, java.util.function.UnaryOperator.identity());
    }

    /**
     * Opens the index in {@code path} as {@link #open(Path, String)} does, its files reached through
     * {@code files} (the directory holding them, wrapped): for tests of failing disks.
     */
    static MemoryIndex open(Path path, String model, java.util.function.UnaryOperator<Directory> files) {
        try {
            return new MemoryIndex(path, model, files);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the memory index in " + path + ": " + e.getMessage(), e);
        }
    }

    /** Whether the index started empty and must be filled from the tables. */
    boolean fresh() {
        return fresh;
    }

    /**
     * Why the index started empty, in an operator's words: {@code the index is missing}, {@code
     * format 2 → 3}, {@code model A → B}, {@code an earlier rebuild did not finish}; empty when it
     * did not.
     */
    String staleBecause() {
        return staleBecause;
    }

    /** Whether the last process stopped before deleted documents were rewritten away. */
    boolean purgePending() {
        return purgePending;
    }

    /** The last change of the tables that the committed index includes. */
    long applied() {
        return applied;
    }

    /**
     * This index's name among the indexes that follow the tables' changes (one per node on a shared
     * database): made when the index is first created and kept in its commits, rebuilds included.
     */
    String follower() {
        return follower;
    }

    /** Deletes every document, for a rebuild of an index that fell behind what the tables still list. */
    void clear() throws IOException {
        handles.writer().deleteAll();
        written.incrementAndGet();
    }

    void put(List<Doc> docs) throws IOException {
        var writer = handles.writer();
        for (var doc : docs) {
            writer.updateDocument(new Term(KEY, doc.key()), document(doc));
        }
        written.incrementAndGet();
    }

    /**
     * Replaces every chunk of an item with {@code docs} (none when the item is gone). Each chunk's key
     * names its item, so deleting by item already removes a chunk of the same key: the new chunks are
     * added without a delete of their own.
     */
    void replaceItem(String itemId, List<Doc> docs) throws IOException {
        var writer = handles.writer();
        writer.deleteDocuments(new Term(ITEM, itemId));
        for (var doc : docs) {
            writer.addDocument(document(doc));
        }
        written.incrementAndGet();
    }

    void deleteKey(String key) throws IOException {
        handles.writer().deleteDocuments(new Term(KEY, key));
        written.incrementAndGet();
    }

    void deleteSubject(String subject) throws IOException {
        handles.writer().deleteDocuments(new Term(SUBJECT, subject));
        written.incrementAndGet();
    }

    /** Rewrites the segments that hold deleted documents, so that nothing of them stays on disk. */
    void purge() throws IOException {
        handles.writer().forceMergeDeletes(true);
    }

    /**
     * Starts merging the index into fewer segments in the background when it is scattered: more than
     * {@value #SEGMENTS_KEPT} segments, or segments beside the largest that hold at least a tenth of
     * the chunks. Every search runs once per segment (the HNSW graph of each is searched on its own),
     * so a recall over a few large segments costs more than over one; Lucene's tiered merges leave up
     * to ten segments of each size, and a bulk import or a rebuild leaves several of about the same
     * size. Writes and searches go on meanwhile; the merged segment is searched from the next
     * refresh, and kept by the next commit.
     *
     * @return whether a merge was started
     */
    boolean mergeWhenScattered() throws IOException {
        var open = handles;
        var writer = open.writer();
        var searchers = open.searchers();
        if (writer.hasPendingMerges() || !writer.getMergingSegments().isEmpty()) {
            return false;
        }
        IndexSearcher searcher = searchers.acquire();
        try {
            var leaves = searcher.getIndexReader().leaves();
            if (IdleMerges.choose(
                            leaves.stream().map(leaf -> leaf.reader().numDocs()).toList())
                    .isEmpty()) {
                return false;
            }
        } finally {
            searchers.release(searcher);
        }
        writer.forceMerge(1, false);
        return true;
    }

    /** Whether the index changed since its last commit: documents applied, or a merge that ended since. */
    boolean changedSinceCommit() {
        return handles.writer().hasUncommittedChanges();
    }

    /** How many segments the searched index has. */
    int segments() throws IOException {
        try (var search = search()) {
            return search.searcher().getIndexReader().leaves().size();
        }
    }

    /**
     * Lucene's tiered merges as documents arrive, and, when the index is idle ({@link
     * #mergeWhenScattered()}), one merge of every segment but the largest, or of all of them when the
     * others hold at least {@value #MERGED_WHOLE} of the chunks. A merge keeps the largest merged
     * segment's HNSW graph and inserts only the other segments' vectors into it, so merging a few
     * small segments into a large one costs in proportion to the small ones.
     */
    private static final class IdleMerges extends FilterMergePolicy {
        IdleMerges(MergePolicy tiered) {
            super(tiered);
        }

        /**
         * Which of segments of {@code sizes} documents (largest first after sorting) to merge: the
         * indexes into the list, none when the index is not scattered.
         */
        static List<Integer> choose(List<Integer> sizes) {
            if (sizes.size() < 2) {
                return List.of();
            }
            var bySize = new ArrayList<Integer>();
            for (int i = 0; i < sizes.size(); i++) {
                bySize.add(i);
            }
            bySize.sort(Comparator.comparingInt((Integer i) -> sizes.get(i)).reversed());
            long total = sizes.stream().mapToLong(Integer::longValue).sum();
            long others = total - sizes.get(bySize.getFirst());
            if (others >= MERGED_WHOLE * total) {
                return bySize;
            }
            if (sizes.size() > SEGMENTS_KEPT) {
                return bySize.subList(1, bySize.size());
            }
            return List.of();
        }

        @Override
        public MergeSpecification findForcedMerges(
                SegmentInfos infos,
                int maxSegmentCount,
                Map<SegmentCommitInfo, Boolean> segmentsToMerge,
                MergeContext context)
                throws IOException {
            var merging = context.getMergingSegments();
            var candidates = new ArrayList<SegmentCommitInfo>();
            for (var info : infos) {
                if (segmentsToMerge.containsKey(info) && !merging.contains(info)) {
                    candidates.add(info);
                }
            }
            var chosen = choose(candidates.stream()
                    .map(info -> info.info.maxDoc() - info.getDelCount())
                    .toList());
            if (chosen.size() < 2) {
                return null;
            }
            var merge = new MergeSpecification();
            merge.add(new OneMerge(chosen.stream().map(candidates::get).toList()));
            return merge;
        }
    }

    /**
     * Whether a segment still holds a deleted document about one of {@code subjects} (any deleted
     * document when empty): such a segment still has the subject's terms on disk. Segments being
     * merged when the subject was forgotten keep them until that merge ends.
     */
    boolean holdsDeleted(Optional<Set<String>> subjects) throws IOException {
        try (var reader = DirectoryReader.open(handles.writer())) {
            for (var leaf : reader.leaves()) {
                var live = leaf.reader().getLiveDocs();
                if (live == null) {
                    continue;
                }
                if (subjects.isEmpty()) {
                    return true;
                }
                for (String subject : subjects.get()) {
                    var postings = leaf.reader().postings(new Term(SUBJECT, subject));
                    if (postings == null) {
                        continue;
                    }
                    for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = postings.nextDoc()) {
                        if (!live.get(doc)) {
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    /**
     * Makes the index durable, recording that it includes the tables' changes up to {@code applied},
     * and whether deleted documents of a forgotten subject still wait to be rewritten away.
     */
    void commit(long applied, boolean purgePending) throws IOException {
        var writer = handles.writer();
        writer.setLiveCommitData(Map.of(
                        "format",
                        FORMAT,
                        "model",
                        model,
                        "applied",
                        Long.toString(applied),
                        "purge",
                        purgePending ? "pending" : "done",
                        "follower",
                        follower)
                .entrySet());
        writer.commit();
    }

    /**
     * Commits the index as one that must be rebuilt, before a rebuild fills it: a rebuild cut short
     * leaves this commit, which the next start does not take as complete.
     */
    void commitIncomplete() throws IOException {
        var writer = handles.writer();
        writer.setLiveCommitData(Map.of("format", INCOMPLETE, "model", model, "follower", follower)
                .entrySet());
        writer.commit();
    }

    /** Makes what was put and deleted visible to searches. */
    void refresh() throws IOException {
        long upTo = written.get();
        handles.searchers().maybeRefreshBlocking();
        searchable.accumulateAndGet(upTo, Math::max);
    }

    /**
     * Whether something put or deleted is not yet visible to searches: a change is made searchable
     * by the first search after it ({@link #search}), or by a refresh in the background, not by the
     * write. A refresh writes the segment of what came since the last one and opens a reader over
     * it; made for every store, it was most of a store's time (a note through {@code POST
     * /api/memory}), while a burst of stores before the next search needs only one.
     */
    boolean stale() {
        return searchable.get() < written.get();
    }

    /**
     * The best {@code n} chunks for {@code words} (BM25 over text, title and phrases), within {@code
     * filter}. In an index of more than {@value #SCORED_AT_ONCE} chunks the phrases are scored only
     * for the best {@value #PHRASE_POOL} × {@code n} chunks by words, then ranked by both: a phrase
     * with a common word ("the logo", "5 weeks") matches a large share of a large index, and checking
     * its positions in every chunk took most of a long query's search. A chunk that only its phrases
     * would lift from below that pool into the best {@code n} is missed.
     */
    List<Found> byText(TextQuery words, Optional<Query> filter, int n) throws IOException {
        if (words.isEmpty()) {
            return List.of();
        }
        try (var search = search()) {
            var searcher = search.searcher();
            int pool = PHRASE_POOL * n;
            if (words.phrases().isEmpty() || searcher.getIndexReader().numDocs() <= SCORED_AT_ONCE) {
                return found(searcher, best(searcher, within(words.query(), filter), n));
            }
            var byWords = best(searcher, within(words.byWords(), filter), pool);
            return found(searcher, new PhraseRescorer(words.phrases().get()).rescore(searcher, byWords, n));
        }
    }

    /** The best {@code n} by score; the hits beyond them are not counted, so Lucene skips what cannot reach them. */
    private static TopDocs best(IndexSearcher searcher, Query query, int n) throws IOException {
        return searcher.search(query, new TopScoreDocCollectorManager(n, n));
    }

    /** Adds the scores of the phrases a chunk matches to its score by words: as one search of both would. */
    private static final class PhraseRescorer extends QueryRescorer {
        PhraseRescorer(Query phrases) {
            super(phrases);
        }

        @Override
        protected float combine(float byWords, boolean matched, float byPhrases) {
            return matched ? byWords + byPhrases : byWords;
        }
    }

    /** The {@code n} chunks nearest to {@code vector} (HNSW), within {@code filter}. */
    List<Found> byVector(float[] vector, Optional<Query> filter, int n) throws IOException {
        // Without a filter the graph is searched as it is: a filter that matches everything would
        // still be turned into a set of every document first, on every search.
        return search(new KnnFloatVectorQuery(VECTOR, vector, n, filter.orElse(null)), n, null);
    }

    /** The newest {@code n} chunks within {@code filter}. */
    List<Found> newest(Optional<Query> filter, int n) throws IOException {
        return search(
                within(new MatchAllDocsQuery(), filter), n, new Sort(new SortField(AT, SortField.Type.LONG, true)));
    }

    private static Query within(Query query, Optional<Query> filter) {
        return filter.<Query>map(f -> new BooleanQuery.Builder()
                        .add(query, Occur.MUST)
                        .add(f, Occur.FILTER)
                        .build())
                .orElse(query);
    }

    private List<Found> search(Query query, int n, Sort sort) throws IOException {
        try (var search = search()) {
            var searcher = search.searcher();
            // Counting the hits exactly is not needed: Lucene may skip the documents that cannot
            // reach the best n as soon as it has n (by default only after 1,000).
            return found(searcher, sort == null ? best(searcher, query, n) : searcher.search(query, n, sort));
        }
    }

    /** The found documents' keys, read from doc values in document order (they only read forwards). */
    private static List<Found> found(IndexSearcher searcher, TopDocs top) throws IOException {
        var hits = top.scoreDocs;
        var byDocument = new Integer[hits.length];
        for (int i = 0; i < hits.length; i++) {
            byDocument[i] = i;
        }
        Arrays.sort(byDocument, Comparator.comparingInt(i -> hits[i].doc));
        var leaves = searcher.getIndexReader().leaves();
        var keys = new String[hits.length];
        LeafReaderContext leaf = null;
        BinaryDocValues values = null;
        for (int i : byDocument) {
            int doc = hits[i].doc;
            if (leaf == null || doc >= leaf.docBase + leaf.reader().maxDoc()) {
                leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
                values = leaf.reader().getBinaryDocValues(KEY);
            }
            if (values == null || !values.advanceExact(doc - leaf.docBase)) {
                throw new IllegalStateException("a document of the memory index has no key");
            }
            keys[i] = values.binaryValue().utf8ToString();
        }
        var found = new ArrayList<Found>(hits.length);
        for (int i = 0; i < hits.length; i++) {
            found.add(new Found(keys[i], hits[i].score));
        }
        return found;
    }

    /** The analyzer of every field: for building queries. */
    Analyzer analyzer() {
        return analyzer;
    }

    /** How many chunks the index holds. */
    int size() {
        var writer = handles.writer();
        try {
            return writer.getDocStats().numDocs;
        } catch (org.apache.lucene.store.AlreadyClosedException e) {
            // Lucene closed the writer after an error (see broken()): what searches see.
            try (var search = search()) {
                return search.searcher().getIndexReader().numDocs();
            } catch (IOException | RuntimeException unreadable) {
                return 0;
            }
        }
    }

    /** The index's size on disk, in bytes. */
    long bytes() {
        try (var files = Files.list(path)) {
            return files.mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** Whether any chunk contains the analyzed term {@code term}, deleted ones included: for tests. */
    boolean containsTerm(String term) throws IOException {
        try (var reader = DirectoryReader.open(handles.writer())) {
            return reader.docFreq(new Term(TEXT, term)) > 0;
        }
    }

    private static Document document(Doc doc) {
        var document = new Document();
        document.add(new StringField(KEY, doc.key(), Field.Store.NO));
        document.add(new BinaryDocValuesField(KEY, new BytesRef(doc.key())));
        document.add(new StringField(ITEM, doc.itemId(), Field.Store.NO));
        document.add(new StringField(SUBJECT, doc.subject(), Field.Store.NO));
        document.add(new StringField(KIND, doc.kind().wire(), Field.Store.NO));
        long at = doc.at().toEpochMilli();
        document.add(new LongPoint(AT, at));
        document.add(new NumericDocValuesField(AT, at));
        document.add(new TextField(TEXT, doc.text(), Field.Store.NO));
        document.add(new TextField(EXACT, doc.text(), Field.Store.NO));
        if (doc.n() == 0) {
            var title = Titles.of(doc.text());
            if (!title.isEmpty()) {
                document.add(new TextField(TITLE, title, Field.Store.NO));
            }
        }
        doc.vector()
                .ifPresent(v -> document.add(new KnnFloatVectorField(VECTOR, v, VectorSimilarityFunction.DOT_PRODUCT)));
        return document;
    }

    /** A searcher of the open index, given back when closed. */
    private record Search(SearcherManager manager, IndexSearcher searcher) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            manager.release(searcher);
        }
    }

    /**
     * A searcher of the open index; when the index is reopened meanwhile ({@link #reopen}), one of
     * the new opening. A search that already holds one of the old goes on with it.
     */
    private Search search() throws IOException {
        if (stale()) {
            try {
                refresh();
            } catch (IOException | org.apache.lucene.store.AlreadyClosedException e) {
                // The segment of what came since could not be written (a full disk): Lucene closed the
                // writer (see broken()), and searches see what they saw last; memory's background pass
                // reports the failure, reopens the index and applies the changes again from the tables.
                LOG.debug("memory index: no refresh before a search: {}", e.toString());
            }
        }
        while (true) {
            var open = handles;
            try {
                return new Search(open.searchers(), open.searchers().acquire());
            } catch (org.apache.lucene.store.AlreadyClosedException e) {
                if (handles == open) {
                    throw e;
                }
            }
        }
    }

    /**
     * Why Lucene closed the index's writer, when it did: after an error it cannot recover from (a
     * write to disk failed while it flushed or merged, the thread writing was interrupted, memory ran
     * out), Lucene drops what was not committed and refuses every further change. The committed index
     * is intact, and searches go on with what they saw last.
     */
    Optional<Throwable> broken() {
        var writer = handles.writer();
        return writer.isOpen() ? Optional.empty() : Optional.ofNullable(writer.getTragicException());
    }

    /** What an index reopened after Lucene closed its writer holds ({@link #reopen}). */
    record Reopened(long applied, String staleBecause) {}

    /**
     * Opens the index again from its last commit, after Lucene closed its writer ({@link #broken}):
     * the changes applied since that commit are to be applied again from the tables, which still list
     * them (they are dropped only up to a commit). When the commit cannot be used (it was damaged, or
     * a rebuild was committed as incomplete), the index starts empty and says why.
     */
    Reopened reopen() throws IOException {
        var old = handles;
        // Opened before the closed one is let go (Lucene released its lock when it closed the
        // writer): when the opening fails, searches go on with what they saw last.
        var opened = Handles.open(path, model, files);
        handles = opened.handles();
        try {
            old.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("memory index: closing the writer Lucene closed: {}", e.toString());
        }
        return new Reopened(opened.applied(), opened.staleBecause());
    }

    @Override
    public void close() {
        try {
            // Everything applied, and every merge that ended, was committed before: rolling back
            // only aborts merges still running (an idle merge starts again when the index is next
            // idle) and a purge, which the next start resumes (the commit says it is pending).
            handles.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the memory index: " + e.getMessage(), e);
        }
    }
}
