package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The result of every external effect, by its idempotency key; the first result recorded stands. */
public interface ReceiptStore {

    /** Records an effect's result, unless one is recorded for {@code effectKey} already. */
    void put(String effectKey, WorkKey step, String name, JsonNode result, Instant at);

    /** The result recorded for {@code effectKey}. */
    Optional<JsonNode> find(String effectKey);

    /** The results of the run's effects, by key. */
    Map<String, JsonNode> ofRun(String runId);

    /** Replaces the results of the run's effects with {@code forgotten}. */
    void scrubRun(String runId, JsonNode forgotten);
}
