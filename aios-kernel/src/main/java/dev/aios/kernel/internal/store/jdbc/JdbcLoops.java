package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.LoopStore;
import java.util.List;
import java.util.Optional;

/** The loop_items table. */
final class JdbcLoops implements LoopStore {
    private final JdbcHandle handle;

    JdbcLoops(JdbcHandle handle) {
        this.handle = handle;
    }

    @Override
    public void list(String runId, String block, List<JsonNode> items) {
        remove(runId, block);
        for (int i = 0; i < items.size(); i++) {
            handle.updateLater(
                    "INSERT INTO loop_items (run_id, block, idx, item) VALUES (?, ?, ?, ?)",
                    runId,
                    block,
                    i,
                    Json.text(items.get(i)));
        }
    }

    @Override
    public Optional<JsonNode> item(String runId, String block, int index) {
        return handle.queryOne(
                "SELECT item FROM loop_items WHERE run_id = ? AND block = ? AND idx = ?",
                r -> Json.tree(r.text("item")),
                runId,
                block,
                index);
    }

    @Override
    public void ended(String runId, String block, int index, JsonNode outputs) {
        handle.updateLater(
                "UPDATE loop_items SET outputs = ? WHERE run_id = ? AND block = ? AND idx = ?",
                Json.text(outputs),
                runId,
                block,
                index);
    }

    @Override
    public List<LoopItem> items(String runId, String block) {
        return handle.query(
                "SELECT idx, item, outputs FROM loop_items WHERE run_id = ? AND block = ? ORDER BY idx",
                r -> new LoopItem(
                        (int) r.integer("idx"),
                        Json.tree(r.text("item")),
                        r.optionalText("outputs").map(Json::tree)),
                runId,
                block);
    }

    @Override
    public void remove(String runId, String block) {
        handle.updateLater("DELETE FROM loop_items WHERE run_id = ? AND block = ?", runId, block);
    }

    @Override
    public void removeRun(String runId) {
        handle.updateLater("DELETE FROM loop_items WHERE run_id = ?", runId);
    }
}
