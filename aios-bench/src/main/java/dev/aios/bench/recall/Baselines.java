package dev.aios.bench.recall;

import dev.aios.bench.recall.Corpus.Item;
import dev.aios.bench.recall.Queries.Query;
import dev.aios.memory.spi.Embedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.FSDirectory;

/** The baselines the hybrid recall is measured against, over the same items and with the same filters. */
final class Baselines {
    private Baselines() {}

    /** Something that finds item ids for a query, best first. */
    interface Searcher extends AutoCloseable {
        String name();

        List<String> search(Query query, int k);

        @Override
        default void close() {}
    }

    /** Lucene BM25 alone: one document per item (title and body), English analyzer, default BM25. */
    static final class LuceneBm25 implements Searcher {
        private final EnglishAnalyzer analyzer = new EnglishAnalyzer();
        private final ByteBuffersDirectory directory = new ByteBuffersDirectory();
        private final DirectoryReader reader;
        private final IndexSearcher searcher;

        LuceneBm25(List<Item> items) throws IOException {
            try (var writer = new IndexWriter(directory, new IndexWriterConfig(analyzer))) {
                for (var item : items) {
                    var doc = new Document();
                    doc.add(new StringField("id", item.id(), Field.Store.YES));
                    doc.add(new StringField("subject", item.subject(), Field.Store.NO));
                    doc.add(new StringField("kind", item.kind().wire(), Field.Store.NO));
                    doc.add(new LongPoint("at", item.at().toEpochMilli()));
                    doc.add(new TextField("text", item.text(), Field.Store.NO));
                    writer.addDocument(doc);
                }
            }
            this.reader = DirectoryReader.open(directory);
            this.searcher = new IndexSearcher(reader);
        }

        @Override
        public String name() {
            return "Lucene BM25";
        }

        @Override
        public List<String> search(Query query, int k) {
            try {
                var words = new BooleanQuery.Builder();
                var terms = new LinkedHashSet<String>();
                try (var stream = analyzer.tokenStream("text", query.text())) {
                    var term = stream.addAttribute(CharTermAttribute.class);
                    stream.reset();
                    while (stream.incrementToken()) {
                        terms.add(term.toString());
                    }
                    stream.end();
                }
                if (terms.isEmpty()) {
                    return List.of();
                }
                terms.forEach(t -> words.add(new TermQuery(new Term("text", t)), Occur.SHOULD));
                var builder = new BooleanQuery.Builder().add(words.build(), Occur.MUST);
                query.subject().ifPresent(s -> builder.add(new TermQuery(new Term("subject", s)), Occur.FILTER));
                query.kind().ifPresent(kd -> builder.add(new TermQuery(new Term("kind", kd.wire())), Occur.FILTER));
                if (query.from().isPresent() || query.to().isPresent()) {
                    builder.add(
                            LongPoint.newRangeQuery(
                                    "at",
                                    query.from().map(f -> f.toEpochMilli()).orElse(Long.MIN_VALUE),
                                    query.to().map(t -> t.toEpochMilli() - 1).orElse(Long.MAX_VALUE)),
                            Occur.FILTER);
                }
                var ids = new ArrayList<String>();
                var stored = searcher.storedFields();
                for (var hit : searcher.search(builder.build(), k).scoreDocs) {
                    ids.add(stored.document(hit.doc).get("id"));
                }
                return ids;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                reader.close();
                directory.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * Exact vector search alone: the query embedded by the same model, its dot product with every
     * chunk vector memory stored (read from memory's index), an item scored by its best chunk.
     */
    static final class ExactVectors implements Searcher {
        private final Embedder embedder;
        private final List<Item> owners = new ArrayList<>();
        private final List<float[]> vectors = new ArrayList<>();

        ExactVectors(Path memoryIndex, Map<String, Item> items, Embedder embedder) throws IOException {
            this.embedder = embedder;
            try (var directory = FSDirectory.open(memoryIndex);
                    var reader = DirectoryReader.open(directory)) {
                for (var leaf : reader.leaves()) {
                    var values = leaf.reader().getFloatVectorValues("vector");
                    if (values == null) {
                        continue;
                    }
                    var live = leaf.reader().getLiveDocs();
                    // Each chunk's key is in doc values, read in document order as the vectors are.
                    var keys = leaf.reader().getBinaryDocValues("key");
                    var iterator = values.iterator();
                    for (int doc = iterator.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = iterator.nextDoc()) {
                        if (live != null && !live.get(doc)) {
                            continue;
                        }
                        if (keys == null || !keys.advanceExact(doc)) {
                            throw new IllegalStateException("a chunk of the memory index has no key");
                        }
                        String key = keys.binaryValue().utf8ToString();
                        var item = items.get(key.substring(0, key.lastIndexOf('#')));
                        if (item != null) {
                            owners.add(item);
                            vectors.add(values.vectorValue(iterator.index()).clone());
                        }
                    }
                }
            }
        }

        int size() {
            return vectors.size();
        }

        @Override
        public String name() {
            return "exact vectors";
        }

        @Override
        public List<String> search(Query query, int k) {
            float[] q = embedder.embed(List.of(query.text())).getFirst();
            var best = new HashMap<String, Double>();
            for (int i = 0; i < vectors.size(); i++) {
                var item = owners.get(i);
                if (!query.admits(item)) {
                    continue;
                }
                float[] v = vectors.get(i);
                double dot = 0;
                for (int d = 0; d < v.length; d++) {
                    dot += q[d] * v[d];
                }
                best.merge(item.id(), dot, Math::max);
            }
            return best.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(k)
                    .map(Map.Entry::getKey)
                    .toList();
        }
    }

    /** SQLite FTS5 with its built-in BM25: one row per item (title and body), Porter stemming. */
    static final class Fts5 implements Searcher {
        private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+");
        private final Connection connection;

        Fts5(Path file, List<Item> items) throws SQLException {
            this.connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (var s = connection.createStatement()) {
                s.execute("CREATE VIRTUAL TABLE items USING fts5(id UNINDEXED, subject UNINDEXED, kind UNINDEXED,"
                        + " at UNINDEXED, text, tokenize = 'porter unicode61')");
            }
            connection.setAutoCommit(false);
            try (var insert = connection.prepareStatement(
                    "INSERT INTO items (id, subject, kind, at, text) VALUES (?, ?, ?, ?, ?)")) {
                for (var item : items) {
                    insert.setString(1, item.id());
                    insert.setString(2, item.subject());
                    insert.setString(3, item.kind().wire());
                    insert.setLong(4, item.at().toEpochMilli());
                    insert.setString(5, item.text());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
            connection.setAutoCommit(true);
        }

        @Override
        public String name() {
            return "SQLite FTS5";
        }

        @Override
        public List<String> search(Query query, int k) {
            var tokens = new LinkedHashSet<String>();
            var matcher = TOKEN.matcher(query.text().toLowerCase(Locale.ROOT));
            while (matcher.find()) {
                tokens.add('"' + matcher.group() + '"');
            }
            if (tokens.isEmpty()) {
                return List.of();
            }
            var sql = new StringBuilder("SELECT id FROM items WHERE items MATCH ?");
            var args = new ArrayList<Object>();
            args.add(String.join(" OR ", tokens));
            query.subject().ifPresent(s -> {
                sql.append(" AND subject = ?");
                args.add(s);
            });
            query.kind().ifPresent(kd -> {
                sql.append(" AND kind = ?");
                args.add(kd.wire());
            });
            query.from().ifPresent(f -> {
                sql.append(" AND at >= ?");
                args.add(f.toEpochMilli());
            });
            query.to().ifPresent(t -> {
                sql.append(" AND at < ?");
                args.add(t.toEpochMilli());
            });
            sql.append(" ORDER BY bm25(items) LIMIT ").append(k);
            try (var statement = connection.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    statement.setObject(i + 1, args.get(i));
                }
                var ids = new ArrayList<String>();
                try (var rs = statement.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
                return ids;
            } catch (SQLException e) {
                throw new IllegalStateException("FTS5 query failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
