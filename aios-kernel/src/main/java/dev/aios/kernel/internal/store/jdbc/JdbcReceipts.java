package dev.aios.kernel.internal.store.jdbc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.ReceiptStore;
import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.spi.Handle;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The receipts table. */
final class JdbcReceipts implements ReceiptStore {
    private final Handle handle;

    JdbcReceipts(Handle handle) {
        this.handle = handle;
    }

    @Override
    public void put(String effectKey, WorkKey step, String name, JsonNode result, Instant at) {
        handle.update(
                "INSERT INTO receipts (effect_key, run_id, step_id, iteration, name, result, at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (effect_key) DO NOTHING",
                effectKey,
                step.runId(),
                step.step(),
                step.iteration(),
                name,
                Json.text(result),
                at);
    }

    @Override
    public Optional<JsonNode> find(String effectKey) {
        return handle.queryOne(
                "SELECT result FROM receipts WHERE effect_key = ?", r -> Json.tree(r.text("result")), effectKey);
    }

    @Override
    public Map<String, JsonNode> ofRun(String runId) {
        var results = new LinkedHashMap<String, JsonNode>();
        handle.query(
                "SELECT effect_key, result FROM receipts WHERE run_id = ?",
                r -> results.put(r.text("effect_key"), Json.tree(r.text("result"))),
                runId);
        return results;
    }

    @Override
    public void scrubRun(String runId, JsonNode forgotten) {
        handle.update("UPDATE receipts SET result = ? WHERE run_id = ?", Json.text(forgotten), runId);
    }
}
