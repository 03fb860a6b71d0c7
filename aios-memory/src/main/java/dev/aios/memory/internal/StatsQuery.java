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
        return store.storage().read(c -> {
            var kinds = new EnumMap<MemoryKind, Long>(MemoryKind.class);
            var tiers = new EnumMap<MemoryKind.Tier, long[]>(MemoryKind.Tier.class);
            for (var tier : MemoryKind.Tier.values()) {
                tiers.put(tier, new long[3]);
            }
            for (var kind : MemoryKind.values()) {
                kinds.put(kind, 0L);
            }
            Sql.query(
                    c,
                    "SELECT kind, COUNT(*), COALESCE(SUM(chunks), 0), COALESCE(SUM(bytes), 0) FROM memory_items"
                            + " GROUP BY kind",
                    rs -> {
                        var kind = MemoryKind.fromWire(rs.getString(1));
                        kinds.put(kind, rs.getLong(2));
                        var sums = tiers.get(kind.tier());
                        sums[0] += rs.getLong(2);
                        sums[1] += rs.getLong(3);
                        sums[2] += rs.getLong(4);
                        return kind;
                    });
            long versions = Sql.count(c, "SELECT COUNT(*) FROM knowledge_records");
            var tierStats = new EnumMap<MemoryKind.Tier, MemoryStats.Tier>(MemoryKind.Tier.class);
            tiers.forEach((tier, sums) -> tierStats.put(tier, new MemoryStats.Tier(sums[0], sums[1], sums[2])));
            return new MemoryStats(tierStats, kinds, versions, index, embedding, plan);
        });
    }
}
