package dev.aios.memory.internal;

import dev.aios.api.MemoryKind;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.SubjectCipher.ForgottenException;
import dev.aios.memory.MemorySettings;
import dev.aios.memory.RetentionPlan;
import dev.aios.memory.RetentionReport;
import dev.aios.memory.internal.Rows.Chunk;
import dev.aios.memory.internal.Rows.Item;
import dev.aios.memory.internal.Rows.NewItem;
import dev.aios.memory.spi.Summarizer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retention: removes items that outlived their kind's time to live, and merges a subject's old
 * events and journal entries of one day into one summary item. Pinned items and subjects under legal
 * hold are left alone; knowledge records are kept until their subject is forgotten.
 */
final class RetentionJob {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    private static final long DAY = Duration.ofDays(1).toMillis();
    /** The most summaries one run writes, and the most items one summary merges; the next run goes on. */
    private static final int MAX_GROUPS = 200;

    private static final int MAX_GROUP_ITEMS = 2_000;

    private final ItemStore store;
    private final Sealer sealer;
    private final MemorySettings settings;
    private final Summarizer summarizer;
    private final Chunker chunker;
    private final boolean embedded;

    RetentionJob(
            ItemStore store,
            Sealer sealer,
            MemorySettings settings,
            Summarizer summarizer,
            Chunker chunker,
            boolean embedded) {
        this.store = store;
        this.sealer = sealer;
        this.settings = settings;
        this.summarizer = summarizer;
        this.chunker = chunker;
        this.embedded = embedded;
    }

    /** What a run at {@code at} would do. */
    RetentionPlan plan(Instant at) {
        return store.storage().read(h -> {
            var expire = new EnumMap<MemoryKind, Long>(MemoryKind.class);
            for (var kind : MemoryKind.values()) {
                var ttl = ttl(kind);
                if (ttl.isPresent()) {
                    long n = h.count(
                            "SELECT COUNT(*) FROM memory_items WHERE kind = ? AND created_at < ? AND pinned = 0"
                                    + held(),
                            args(kind.wire(), at.minus(ttl.get()).toEpochMilli()));
                    if (n > 0) {
                        expire.put(kind, n);
                    }
                }
            }
            long items = 0;
            long groups = 0;
            for (var kind : List.of(MemoryKind.EVENT, MemoryKind.JOURNAL)) {
                var range = compactRange(kind, at);
                if (range.isPresent()) {
                    items += h.count("SELECT COUNT(*) FROM memory_items" + compactable(), range.get());
                }
            }
            if (items > 0) {
                groups = groups(h, at).size();
            }
            return new RetentionPlan(at, expire, items, groups, settings.legalHolds());
        });
    }

    /** Runs retention as of {@code at}. */
    RetentionReport run(Instant at) {
        var expired = new EnumMap<MemoryKind, Long>(MemoryKind.class);
        for (var kind : MemoryKind.values()) {
            var ttl = ttl(kind);
            if (ttl.isEmpty()) {
                continue;
            }
            long total = 0;
            while (true) {
                var ids = store.storage()
                        .read(h -> h.query(
                                "SELECT id FROM memory_items WHERE kind = ? AND created_at < ? AND pinned = 0" + held()
                                        + " LIMIT 500",
                                row -> row.text("id"),
                                args(kind.wire(), at.minus(ttl.get()).toEpochMilli())));
                if (ids.isEmpty()) {
                    break;
                }
                total += store.storage().write(h -> ItemStore.delete(h, ids));
            }
            if (total > 0) {
                expired.put(kind, total);
            }
        }
        long compacted = 0;
        long summaries = 0;
        for (var group : store.storage().read(h -> groups(h, at))) {
            long merged = compact(group, at);
            if (merged > 0) {
                compacted += merged;
                summaries++;
            }
        }
        var report = new RetentionReport(at, expired, compacted, summaries, summarizer.name());
        LOG.info("memory retention: expired {}, compacted {} items into {} summaries", expired, compacted, summaries);
        return report;
    }

    private record Group(String subject, long day) {}

    private List<Group> groups(Handle h, Instant at) {
        var groups = new ArrayList<Group>();
        for (var kind : List.of(MemoryKind.EVENT, MemoryKind.JOURNAL)) {
            var range = compactRange(kind, at);
            if (range.isEmpty()) {
                continue;
            }
            for (var group : h.query(
                    "SELECT DISTINCT subject, created_at / " + DAY + " AS day FROM memory_items" + compactable()
                            + " LIMIT " + MAX_GROUPS,
                    row -> new Group(row.text("subject"), row.integer("day")),
                    range.get())) {
                if (!groups.contains(group) && groups.size() < MAX_GROUPS) {
                    groups.add(group);
                }
            }
        }
        return groups;
    }

    /**
     * Merges one subject's compactable items of one day into a summary; returns how many (none when
     * another node's retention merged some of them first).
     */
    private long compact(Group group, Instant at) {
        record Source(String id, MemoryKind kind, Instant at, double importance, String text) {}
        var sources = store.storage().read(h -> {
            var found = new ArrayList<Source>();
            for (var kind : List.of(MemoryKind.EVENT, MemoryKind.JOURNAL)) {
                var range = compactRange(kind, at);
                if (range.isEmpty()) {
                    continue;
                }
                var args = new ArrayList<>(List.of(range.get()));
                args.addAll(List.of(group.subject(), group.day() * DAY, (group.day() + 1) * DAY));
                found.addAll(h.query(
                        "SELECT i.id, i.kind, i.created_at, i.importance, c.text FROM memory_items i"
                                + " JOIN memory_chunks c ON c.item_id = i.id AND c.n = 0"
                                + compactable("i.")
                                + " AND i.subject = ? AND i.created_at >= ? AND i.created_at < ? ORDER BY i.created_at"
                                + " LIMIT " + MAX_GROUP_ITEMS,
                        row -> new Source(
                                row.text("id"),
                                MemoryKind.fromWire(row.text("kind")),
                                row.instant("created_at"),
                                row.real("importance"),
                                open(group.subject(), row.bytes("text"))),
                        args.toArray()));
            }
            return found;
        });
        if (sources.isEmpty()) {
            return 0;
        }
        var day = LocalDate.ofEpochDay(group.day());
        var texts = sources.stream().map(Source::text).toList();
        String text;
        String by = summarizer.name();
        try {
            text = summarizer.summarize(group.subject(), day, texts);
        } catch (RuntimeException e) {
            LOG.warn("the summarizer {} failed, so memory summarized extractively: {}", by, e.toString());
            by = "extractive";
            text = new ExtractiveSummarizer().summarize(group.subject(), day, texts);
        }
        long events = sources.stream().filter(s -> s.kind() == MemoryKind.EVENT).count();
        var metadata = Sealer.JSON
                .createObjectNode()
                .put("day", day.toString())
                .put("compacted", sources.size())
                .put("events", events)
                .put("journal", sources.size() - events)
                .put("summarizer", by);
        var pieces = chunker.split(text);
        var chunks = new ArrayList<Chunk>();
        for (int i = 0; i < pieces.size(); i++) {
            chunks.add(new Chunk(i, pieces.get(i), embedded));
        }
        var newest = sources.getLast().at();
        var summary = new Item(
                "summary/" + group.subject() + "/" + day + "/" + at.toEpochMilli(),
                MemoryKind.SUMMARY,
                group.subject(),
                1,
                newest,
                sources.stream().mapToDouble(Source::importance).max().orElse(0.5),
                false,
                "retention",
                chunks.size(),
                text.getBytes(StandardCharsets.UTF_8).length,
                metadata);
        var ids = sources.stream().map(Source::id).toList();
        if (!store.replaced(new NewItem(summary, chunks), ids)) {
            LOG.debug("memory retention: {} of {} was merged meanwhile (by another node)", group.subject(), day);
            return 0;
        }
        return ids.size();
    }

    private String open(String subject, byte[] sealed) {
        try {
            return sealer.openText(subject, sealed);
        } catch (ForgottenException e) {
            return "";
        }
    }

    private Optional<Duration> ttl(MemoryKind kind) {
        return kind == MemoryKind.KNOWLEDGE
                ? Optional.empty()
                : settings.retention().get(kind).ttl();
    }

    /** The created_at range of {@code kind}'s items to compact: older than compactAfter, younger than the ttl. */
    private Optional<Object[]> compactRange(MemoryKind kind, Instant at) {
        var rule = settings.retention().get(kind);
        if (rule.compactAfter().isEmpty()) {
            return Optional.empty();
        }
        long before = at.minus(rule.compactAfter().get()).toEpochMilli();
        long notBefore = rule.ttl().map(ttl -> at.minus(ttl).toEpochMilli()).orElse(Long.MIN_VALUE);
        var args = new ArrayList<Object>(List.of(kind.wire(), notBefore, before));
        args.addAll(settings.legalHolds());
        return Optional.of(args.toArray());
    }

    private String compactable() {
        return compactable("");
    }

    /** The condition on compactable items, with column names prefixed by {@code table}. */
    private String compactable(String table) {
        return " WHERE " + table + "kind = ? AND " + table + "created_at >= ? AND " + table + "created_at < ? AND "
                + table + "pinned = 0" + held(table);
    }

    private String held() {
        return held("");
    }

    private String held(String table) {
        return settings.legalHolds().isEmpty()
                ? ""
                : " AND " + table + "subject NOT IN ("
                        + Handle.marks(settings.legalHolds().size()) + ")";
    }

    private Object[] args(Object... first) {
        var args = new ArrayList<>(List.of(first));
        args.addAll(settings.legalHolds());
        return args.toArray();
    }

    static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
