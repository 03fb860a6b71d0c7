package dev.aios.memory.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.MemoryKind;
import dev.aios.kernel.spi.Feed;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.memory.internal.Rows.Chunk;
import dev.aios.memory.internal.Rows.Item;
import dev.aios.memory.internal.Rows.NewItem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Episodic memory: copies every event and journal entry the kernel accepted into memory, as an item
 * found by text, subject, kind and time. It reads the kernel's feed from where it stopped, so a
 * restart loses nothing and copies nothing twice (the position is stored with the items). On a
 * database several nodes share, each copies what it finds; a batch another node copied first is
 * not written again ({@link ItemStore#copied}).
 */
final class EpisodicFeed {
    private static final int BATCH = 500;

    private final Feed feed;
    private final ItemStore store;
    private final int maxChars;

    EpisodicFeed(Feed feed, ItemStore store, int maxChars) {
        this.feed = feed;
        this.store = store;
        this.maxChars = maxChars;
    }

    /**
     * How long a node leaves the copying to another node of a shared database after that one copied a
     * batch this one had read: while both copy, each would read, open and seal every batch for one of
     * them to write it.
     */
    static final Duration YIELD_FOR = Duration.ofSeconds(1);

    /** Until when ({@link System#nanoTime()}) this node leaves the copying to another one. */
    private long yieldingUntil = System.nanoTime();

    /**
     * Copies what the kernel accepted since the last time; returns how many items were stored.
     *
     * @param yielding whether to leave the copying to another node seen copying within {@link
     *     #YIELD_FOR}, rather than copy everything now
     */
    int catchUp(boolean yielding) {
        if (yielding && System.nanoTime() - yieldingUntil < 0) {
            return 0;
        }
        int stored = 0;
        while (true) {
            var positions = store.feedPositions();
            // One source at a time: each comes back in its own order, so its position can advance safely.
            var events = feed.after(positions[0], Long.MAX_VALUE, BATCH);
            var entries = feed.after(Long.MAX_VALUE, positions[1], BATCH);
            if (events.isEmpty() && entries.isEmpty()) {
                return stored;
            }
            var items = new ArrayList<NewItem>();
            var moved = new HashMap<String, Long>();
            for (var item : concat(events, entries)) {
                moved.merge(item.source(), item.position(), Math::max);
                if (!isForgotten(item.payload())) {
                    items.add(item(item));
                }
            }
            var from = new HashMap<String, Long>();
            moved.keySet().forEach(source -> from.put(source, source.equals("event") ? positions[0] : positions[1]));
            if (store.copied(items, from, moved)) {
                stored += items.size();
            } else {
                // Another node copied them meanwhile: it goes on, or this one reads on from where it stopped.
                yieldingUntil = System.nanoTime() + YIELD_FOR.toNanos();
                if (yielding) {
                    return stored;
                }
            }
        }
    }

    private static List<FeedItem> concat(List<FeedItem> a, List<FeedItem> b) {
        var all = new ArrayList<FeedItem>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return all;
    }

    /** A payload the kernel could not open because its subject was forgotten. */
    private static boolean isForgotten(JsonNode payload) {
        return payload.size() == 1 && payload.path("forgotten").asBoolean(false);
    }

    private NewItem item(FeedItem item) {
        boolean event = item.source().equals("event");
        var text = new StringBuilder();
        if (event) {
            text.append("event ").append(item.type());
            if (!item.subject().isEmpty()) {
                text.append(" about ").append(item.subject());
            }
            text.append('\n');
            KnowledgeText.flatten("", item.payload().path("data"), text, maxChars);
        } else {
            var step = item.payload().path("step").asText("");
            text.append(item.type())
                    .append(step.isEmpty() ? "" : " " + step)
                    .append(" (run ")
                    .append(item.runId())
                    .append(")\n");
            KnowledgeText.flatten("", item.payload(), text, maxChars);
        }
        var body = text.length() > maxChars
                ? text.substring(0, maxChars)
                : text.toString().strip();
        var metadata = Sealer.JSON.createObjectNode().put("type", item.type()).put("position", item.position());
        if (!event) {
            metadata.put("runId", item.runId());
        }
        String id = (event ? "event/" : "journal/") + item.position();
        var row = new Item(
                id,
                event ? MemoryKind.EVENT : MemoryKind.JOURNAL,
                item.subject(),
                1,
                item.at(),
                event ? 0.4 : 0.3,
                false,
                event ? "event:" + item.position() : "run:" + item.runId(),
                1,
                body.getBytes(StandardCharsets.UTF_8).length,
                metadata);
        return new NewItem(row, List.of(new Chunk(0, body, false)));
    }

    /** For stats: the positions read up to. */
    Map<String, Long> positions() {
        var positions = store.feedPositions();
        return Map.of("event", positions[0], "journal", positions[1]);
    }
}
