package dev.aios.kernel.internal.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's state: the fold of its journal. Stored as JSON in the {@code runs} table so that loading
 * a run does not replay its history; that JSON is as of the entry {@link #seq} it carries, which
 * may be a few entries behind the journal (see {@link dev.aios.kernel.internal.store.RunStore}).
 * Mutable, changed only by {@link RunFold}.
 */
public final class RunState {
    public String id;
    public String playbook;
    public String version;
    public String subject;
    public RunStatus status;
    public JsonNode trigger;
    /** The run context: each completed step's output by step id. */
    public ObjectNode steps = Json.object();
    /** The latest iteration of every step entered, the most recently entered last. */
    public Map<String, StepRecord> records = new LinkedHashMap<>();
    /** How many times each step was entered. */
    public Map<String, Integer> entered = new LinkedHashMap<>();
    /** Up to which event-log position each await step has looked: earlier events are not its to take. */
    public Map<String, Long> awaited = new LinkedHashMap<>();
    /** While the run undoes its completed steps: what, and how far it got. */
    public Compensation compensation;

    /** The undo in progress. */
    public static final class Compensation {
        public String reason;
        public List<JournalEntry.CompensationTarget> targets = new ArrayList<>();
        public int done;
    }

    /**
     * The scopes in progress inside the run, by path: a parallel branch ({@code gather/lead}), a
     * forEach iteration ({@code contacts[3]}). Each holds the outputs of its own steps.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public Map<String, Scope> scopes = new LinkedHashMap<>();

    /** The steps holding others (parallel, forEach) that are in progress, by path. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public Map<String, Block> blocks = new LinkedHashMap<>();

    /** One scope in progress: the outputs of its steps, and, for a forEach iteration, its item. */
    public static final class Scope {
        public ObjectNode steps = Json.object();
        public JsonNode item;
        public int index;
    }

    /** A step holding others, in progress. */
    public static final class Block {
        /** {@link StepKind#PARALLEL}, {@link StepKind#FOR_EACH} or {@link StepKind#CONVERSATION}. */
        public StepKind kind;

        public int iteration;
        /** Parallel: each branch's state: running, completed or cancelled. */
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        public Map<String, String> branches = new LinkedHashMap<>();
        /** Parallel: the outputs of the completed branches. */
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        public ObjectNode outputs = Json.object();
        /** Parallel: the completed steps of cancelled branches being undone, in this order. */
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        public List<JournalEntry.CompensationTarget> undo = new ArrayList<>();

        public int undone;
        /** ForEach: how many items, which one starts next, how many run and how many ended. */
        public int total;

        public int next;
        public int running;
        public int finished;
        /** Conversation: the turns taken so far, each {@code {turn, speaker, agent, output, costUsd}}. */
        @JsonInclude(JsonInclude.Include.NON_EMPTY)
        public com.fasterxml.jackson.databind.node.ArrayNode transcript =
                Json.mapper().createArrayNode();
    }

    /** The run whose call step started this one, if one did. */
    public Parent parent;

    /** The runs this one started with call steps, by run id, in the order started. */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public Map<String, Child> children = new LinkedHashMap<>();

    /** Where a child run was called from. */
    public static final class Parent {
        public String run;
        public String step;
        public int iteration;
        public int depth;
    }

    /** A run started by a call step of this one. */
    public static final class Child {
        public String step;
        public int iteration;
        public String playbook;
        public String version;
        public boolean waits;
        /** Its status as last told: running, or how it ended. */
        public RunStatus status;
        /** Whether undoing the call step waits for the child to be undone. */
        public boolean undoing;
    }

    /** The top-level step the run is at, or null when it has ended. */
    public String current;

    public int currentIteration;
    public String error;
    public Instant createdAt;
    public Instant updatedAt;
    public long seq;
    public String checksum = "";

    /**
     * The entry the runs table's JSON of this state is as of, as far as this process knows: set by
     * the store when it reads or writes the JSON whole, -1 when not known (a state never stored, or
     * a copy), {@link #NO_ROW} for a new run's state that has no row yet. Bookkeeping of the store,
     * not part of the state: neither stored nor copied.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public transient long storedSeq = -1;

    /**
     * {@link #storedSeq} of a state made for a new run ({@link RunFold#empty}): the run has no row,
     * so its first write may store the JSON of the run before its first entry and leave every entry
     * to the fold of whoever reads it.
     */
    public static final long NO_ROW = -2;

    /**
     * The status the runs table's row holds for this state, as far as this process knows (null when
     * not known): an update that would set it again leaves it out, so that the row's status index
     * is not rewritten. Bookkeeping of the store, like {@link #storedSeq}.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public transient dev.aios.kernel.RunStatus storedStatus;

    /**
     * A copy that the fold of this state no longer changes: every container is copied, the JSON
     * values and entries it holds are shared, since the fold replaces them and never changes one in
     * place. Much cheaper than reading the state again, for a worker going on with the run's next step
     * while the writer goes on folding its entries.
     */
    public RunState copy() {
        var copy = new RunState();
        copy.id = id;
        copy.playbook = playbook;
        copy.version = version;
        copy.subject = subject;
        copy.status = status;
        copy.trigger = trigger;
        copy.steps = shallow(steps);
        records.forEach((step, record) -> copy.records.put(step, record.copy()));
        copy.entered.putAll(entered);
        copy.awaited.putAll(awaited);
        if (compensation != null) {
            copy.compensation = new Compensation();
            copy.compensation.reason = compensation.reason;
            copy.compensation.targets = new ArrayList<>(compensation.targets);
            copy.compensation.done = compensation.done;
        }
        scopes.forEach((path, scope) -> {
            var other = new Scope();
            other.steps = shallow(scope.steps);
            other.item = scope.item;
            other.index = scope.index;
            copy.scopes.put(path, other);
        });
        blocks.forEach((path, block) -> {
            var other = new Block();
            other.kind = block.kind;
            other.iteration = block.iteration;
            other.branches.putAll(block.branches);
            other.outputs = shallow(block.outputs);
            other.undo = new ArrayList<>(block.undo);
            other.undone = block.undone;
            other.total = block.total;
            other.next = block.next;
            other.running = block.running;
            other.finished = block.finished;
            other.transcript = Json.mapper().createArrayNode().addAll(block.transcript);
            copy.blocks.put(path, other);
        });
        if (parent != null) {
            copy.parent = new Parent();
            copy.parent.run = parent.run;
            copy.parent.step = parent.step;
            copy.parent.iteration = parent.iteration;
            copy.parent.depth = parent.depth;
        }
        children.forEach((run, child) -> {
            var other = new Child();
            other.step = child.step;
            other.iteration = child.iteration;
            other.playbook = child.playbook;
            other.version = child.version;
            other.waits = child.waits;
            other.status = child.status;
            other.undoing = child.undoing;
            copy.children.put(run, other);
        });
        copy.current = current;
        copy.currentIteration = currentIteration;
        copy.error = error;
        copy.createdAt = createdAt;
        copy.updatedAt = updatedAt;
        copy.seq = seq;
        copy.checksum = checksum;
        return copy;
    }

    private static ObjectNode shallow(ObjectNode node) {
        return Json.object().setAll(node);
    }

    /** The record of the step's latest iteration. */
    public StepRecord record(String step) {
        var record = records.get(step);
        if (record == null) {
            throw new IllegalStateException("run " + id + " has no step '" + step + "'");
        }
        return record;
    }
}
