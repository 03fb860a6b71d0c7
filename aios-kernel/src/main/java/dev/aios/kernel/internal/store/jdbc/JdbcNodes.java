package dev.aios.kernel.internal.store.jdbc;

import dev.aios.kernel.NodeInfo;
import dev.aios.kernel.internal.store.NodeStore;
import dev.aios.kernel.spi.Handle;
import java.time.Instant;
import java.util.List;

/** The nodes table; the work a node holds is counted from the leases of the work table. */
final class JdbcNodes implements NodeStore {
    private final Handle handle;

    JdbcNodes(Handle handle) {
        this.handle = handle;
    }

    @Override
    public void seen(String node, Instant startedAt, Instant at) {
        handle.update(
                "INSERT INTO nodes (name, started_at, seen_at) VALUES (?, ?, ?)"
                        + " ON CONFLICT (name) DO UPDATE SET seen_at = excluded.seen_at",
                node,
                startedAt,
                at);
    }

    @Override
    public List<NodeInfo> seenSince(Instant since, Instant now) {
        return handle.query(
                "SELECT n.name, n.started_at, n.seen_at,"
                        + " (SELECT COUNT(*) FROM work w WHERE w.lease_until > ?"
                        + " AND substr(w.lease_owner, 1, length(n.name) + 1) = n.name || '/')"
                        + " AS holding FROM nodes n WHERE n.seen_at >= ? ORDER BY n.name",
                r -> new NodeInfo(r.text("name"), r.instant("started_at"), r.instant("seen_at"), r.integer("holding")),
                now,
                since);
    }

    @Override
    public int forgetBefore(Instant before) {
        return handle.update("DELETE FROM nodes WHERE seen_at < ?", before);
    }

    @Override
    public void left(String node) {
        handle.update("DELETE FROM nodes WHERE name = ?", node);
    }
}
