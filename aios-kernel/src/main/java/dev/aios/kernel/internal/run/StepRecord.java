package dev.aios.kernel.internal.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.aios.kernel.AttemptOutcome;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.StepStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The latest iteration of one step of a run, as folded from the journal. Mutable, fold-only. */
public final class StepRecord {
    public String id;
    public StepKind kind;
    public int iteration;
    public StepStatus status;
    public String agent;
    public JsonNode input = NullNode.instance;
    public JsonNode output = NullNode.instance;
    public String error;
    /** Why a deferred step waits, in a word ({@code window}, {@code breaker}, …); null otherwise. */
    public String deferredBy;

    public List<Attempt> attempts = new ArrayList<>();
    public Instant scheduledAt;
    public Instant endedAt;
    public String version;
    public List<Receipt> receipts = new ArrayList<>();
    public List<JsonNode> provenance = new ArrayList<>();

    /** A copy sharing the JSON values and receipts, which the fold never changes in place (see {@link RunState#copy}). */
    StepRecord copy() {
        var copy = new StepRecord();
        copy.id = id;
        copy.kind = kind;
        copy.iteration = iteration;
        copy.status = status;
        copy.agent = agent;
        copy.input = input;
        copy.output = output;
        copy.error = error;
        copy.deferredBy = deferredBy;
        for (var attempt : attempts) {
            copy.attempts.add(attempt.copy());
        }
        copy.scheduledAt = scheduledAt;
        copy.endedAt = endedAt;
        copy.version = version;
        copy.receipts.addAll(receipts);
        copy.provenance.addAll(provenance);
        return copy;
    }

    /** An effect the step performed, by its idempotency key. */
    public static final class Receipt {
        public String name;
        public String key;
        public Instant at;
    }

    /** One attempt of the step. */
    public static final class Attempt {
        public int attempt;
        public Instant startedAt;
        public Instant endedAt;
        public AttemptOutcome outcome;
        public String error;
        /** Why a deferred step waits, in a word ({@code window}, {@code breaker}, …); null otherwise. */
        public String deferredBy;
        /** Taken on by a write that did something else, not by the dispatcher (see {@code StepStarted#handedOver}). */
        @JsonInclude(JsonInclude.Include.NON_DEFAULT)
        public boolean handedOver;

        Attempt copy() {
            var copy = new Attempt();
            copy.attempt = attempt;
            copy.startedAt = startedAt;
            copy.endedAt = endedAt;
            copy.outcome = outcome;
            copy.error = error;
            copy.deferredBy = deferredBy;
            copy.handedOver = handedOver;
            return copy;
        }
    }
}
