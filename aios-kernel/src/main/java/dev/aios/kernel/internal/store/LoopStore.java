package dev.aios.kernel.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * The items of forEach steps in progress, one per item, so that a list of thousands is read an item
 * at a time instead of living in the run's state; each finished iteration keeps the outputs of its
 * steps here until the forEach step collects them. Derived from the journal.
 */
public interface LoopStore {

    /**
     * One item of a forEach step.
     *
     * @param outputs the outputs of the iteration's steps, once it ended
     */
    record LoopItem(int index, JsonNode item, Optional<JsonNode> outputs) {}

    /** Replaces the items of the run's forEach step {@code block} with {@code items}. */
    void list(String runId, String block, List<JsonNode> items);

    /** Item {@code index} of the step, if it was listed. */
    Optional<JsonNode> item(String runId, String block, int index);

    /** Records the outputs of the iteration over item {@code index}. */
    void ended(String runId, String block, int index, JsonNode outputs);

    /** Every item of the step, in order. */
    List<LoopItem> items(String runId, String block);

    /** Forgets the items of the step. */
    void remove(String runId, String block);

    /** Forgets the items of every step of the run. */
    void removeRun(String runId);
}
