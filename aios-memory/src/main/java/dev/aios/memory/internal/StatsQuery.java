package dev.aios.memory.internal;

import dev.aios.api.MemoryKind;
import dev.aios.memory.MemoryStats;
import dev.aios.memory.RetentionPlan;
import java.util.EnumMap;

/** Counts what memory holds, per kind and tier. */
final class StatsQuery {
    private StatsQuery() {}

    static MemoryStats stats(
            ItemStore store, MemoryStats.Index index, MemoryStats.Embedding embedding, RetentionPlan plan) {
        return store.storage().read(h -> {
            var kinds = new EnumMap<MemoryKind, Long>(MemoryKind.class);
            var tiers = new EnumMap<MemoryKind.Tier, long[]>(MemoryKind.Tier.class);
            for (var tier : MemoryKind.Tier.values()) {
                tiers.put(tier, new long[3]);
            }
            for (var kind : MemoryKind.values()) {
                kinds.put(kind, 0L);
            }
            h.query(
                    "SELECT kind, COUNT(*) AS items, COALESCE(SUM(chunks), 0) AS chunks, COALESCE(SUM(bytes), 0) AS bytes"
                            + " FROM memory_items"
                            + " GROUP BY kind",
                    row -> {
                        var kind = MemoryKind.fromWire(row.text("kind"));
                        kinds.put(kind, row.integer("items"));
                        var sums = tiers.get(kind.tier());
                        sums[0] += row.integer("items");
                        sums[1] += row.integer("chunks");
                        sums[2] += row.integer("bytes");
                        return kind;
                    });
            long versions = h.count("SELECT COUNT(*) FROM knowledge_records");
            var tierStats = new EnumMap<MemoryKind.Tier, MemoryStats.Tier>(MemoryKind.Tier.class);
            tiers.forEach((tier, sums) -> tierStats.put(tier, new MemoryStats.Tier(sums[0], sums[1], sums[2])));
            return new MemoryStats(tierStats, kinds, versions, index, embedding, plan);
        });
    }
}
