package dev.aios.kernel.internal.engine;

import dev.aios.kernel.ForgetReport;
import dev.aios.kernel.StorageException;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.store.Database;
import dev.aios.kernel.spi.AgentFactory;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Feed;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.FeedListener;
import dev.aios.kernel.spi.ForgetGuard;
import dev.aios.kernel.spi.ForgetListener;
import dev.aios.kernel.spi.StepService;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.flywaydb.core.Flyway;

/** What the kernel gives extensions, and what they register with it. */
final class Host implements ExtensionHost, Storage, Feed {
    private final Database db;
    private final RunJournal journal;
    private final SubjectKeys keys;
    private final FeedHub feed;
    private final InstantSource clock;
    private final Path dataDirectory;
    private final Services services;
    private final dev.aios.kernel.Secrets secrets;
    final Map<String, AgentFactory> factories = new ConcurrentHashMap<>();
    final List<ForgetListener> forgetListeners = new CopyOnWriteArrayList<>();
    final List<ForgetGuard> forgetGuards = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Function<String, ForgetReport> forgetting;

    Host(
            Database db,
            RunJournal journal,
            SubjectKeys keys,
            FeedHub feed,
            InstantSource clock,
            Path dataDirectory,
            Services services,
            dev.aios.kernel.Secrets secrets) {
        this.secrets = secrets;
        this.db = db;
        this.journal = journal;
        this.keys = keys;
        this.feed = feed;
        this.clock = clock;
        this.dataDirectory = dataDirectory;
        this.services = services;
    }

    @Override
    public Storage storage() {
        return this;
    }

    @Override
    public SubjectCipher cipher() {
        return keys;
    }

    @Override
    public dev.aios.kernel.Secrets secrets() {
        return secrets;
    }

    @Override
    public Feed feed() {
        return this;
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public <T> void service(StepService<T> service) {
        services.add(service);
    }

    @Override
    public void agentFactory(AgentFactory factory) {
        var taken = factories.putIfAbsent(factory.kind(), factory);
        if (taken != null) {
            throw new IllegalArgumentException("two extensions build agents of kind '" + factory.kind() + "'");
        }
    }

    @Override
    public void listen(FeedListener listener) {
        feed.listen(listener);
    }

    @Override
    public void onForget(ForgetListener listener) {
        forgetListeners.add(listener);
    }

    @Override
    public void guardForget(ForgetGuard guard) {
        forgetGuards.add(guard);
    }

    @Override
    public ForgetReport forget(String subject) {
        return forgetting.apply(subject);
    }

    void forgetWith(java.util.function.Function<String, ForgetReport> forgetting) {
        this.forgetting = forgetting;
    }

    @Override
    public <T> T write(Work<T> work) {
        return db.write(tx -> work.run(tx.connection()));
    }

    @Override
    public <T> T read(Work<T> work) {
        return db.read(tx -> work.run(tx.connection()));
    }

    @Override
    public void migrate(String module, String location) {
        if (!module.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("module name '" + module + "' must be lower-case letters, digits and _");
        }
        var ds = Database.dataSource(db.file(), false);
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations(location)
                    .table("flyway_" + module)
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StorageException("cannot migrate the tables of " + module + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<FeedItem> after(long eventSeq, long journalPosition, int limit) {
        int bounded = Math.max(1, Math.min(limit, 10_000));
        return db.read(tx -> {
            var items = new ArrayList<FeedItem>();
            items.addAll(tx.query(
                    "SELECT seq, id, type, subject, source, time, correlation_id, causation_id, codec, data, received_at"
                            + " FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                    r -> {
                        var json = Json.object();
                        json.put("id", r.text("id"));
                        json.put("type", r.text("type"));
                        json.put("subject", r.text("subject"));
                        json.put("source", r.text("source"));
                        json.put("time", r.instant("time").toString());
                        json.set("data", opened(r.text("subject"), r.text("codec"), r.bytes("data")));
                        return new FeedItem(
                                "event",
                                r.integer("seq"),
                                "",
                                r.text("type"),
                                r.text("subject"),
                                r.instant("received_at"),
                                json);
                    },
                    eventSeq,
                    bounded));
            items.addAll(tx.query(
                    "SELECT pos, run_id, type, subject, at, codec, payload FROM journal WHERE pos > ? ORDER BY pos LIMIT ?",
                    r -> new FeedItem(
                            "journal",
                            r.integer("pos"),
                            r.text("run_id"),
                            r.text("type"),
                            r.text("subject"),
                            r.instant("at"),
                            opened(r.text("subject"), r.text("codec"), r.bytes("payload"))),
                    journalPosition,
                    bounded));
            items.sort(Comparator.comparing(FeedItem::at).thenComparing(FeedItem::source));
            return items.size() > bounded ? List.copyOf(items.subList(0, bounded)) : items;
        });
    }

    private com.fasterxml.jackson.databind.JsonNode opened(String subject, String codec, byte[] payload)
            throws SQLException {
        try {
            return Json.tree(journal.codec().decode(subject, codec, payload));
        } catch (SubjectCipher.ForgottenException e) {
            return Forgetting.FORGOTTEN.deepCopy();
        }
    }
}
