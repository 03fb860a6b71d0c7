package dev.aios.kernel.internal.engine;

import static dev.aios.kernel.internal.engine.Decisions.NOW;
import static dev.aios.kernel.internal.engine.Decisions.assertEntries;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.CompensationCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.run.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What parallel branches, forEach items and conversation turns produce, and what follows a step of
 * theirs that ended, decided without a store: each run is built by folding entries (most of them
 * decided here before), and the entries decided must also fold onto it.
 */
class GraphOutcomesTest {

    static final String GRAPH = """
            name: graph
            trigger: order.placed
            steps:
              - id: both
                parallel:
                  pay:
                    - id: charge
                      agent: charge
                      input: { order: event.data.order }
                      compensate: { agent: refund, input: { order: steps.charge.order } }
                    - id: settle
                      wait: { for: 1h }
                  pack:
                    - id: ship
                      agent: ship
                      input: { order: event.data.order }
                JOIN
              - id: each
                forEach: event.data.items
                as: item
                concurrency: 2
                steps:
                  - id: post
                    agent: ship
                    input: { order: item }
              - id: talk
                conversation:
                  agents:
                    - name: asker
                      agent: chase
                      input: { order: "'ask'" }
                    - name: answerer
                      agent: ship
                      input: { order: "'answer'" }
                  until: size(transcript) >= 2
                  maxTurns: 4
            """;

    static final CompiledPlaybook ALL = Decisions.compile(GRAPH.replace("JOIN", "join: all"));
    static final CompiledPlaybook ANY = Decisions.compile(GRAPH.replace("JOIN", "join: any"));

    static final JsonNode CHARGED = Json.object().put("order", "o-1").put("reference", "ch-1");
    static final JsonNode SHIPPED = Json.object().put("order", "o-1").put("by", "carrier");

    /** Folds {@code entries} into {@code state}, as appending them would; returns it. */
    static RunState then(RunState state, List<JournalEntry> entries) {
        for (var entry : entries) {
            dev.aios.kernel.internal.run.RunFold.apply(state, entry, NOW);
            state.seq++;
        }
        return state;
    }

    static List<JournalEntry> ran(String step, StepKind kind, JsonNode output, String next) {
        return List.of(
                new StepStarted(step, 0, 1, "node-1", false),
                new StepCompleted(step, 0, Json.object(), output, Optional.of("agent@1"), next));
    }

    /** A run of {@code playbook} whose parallel step started its branches. */
    static RunState forked(CompiledPlaybook playbook) {
        var state = Decisions.run(playbook);
        then(
                state,
                List.of(
                        new StepScheduled("both", 0, StepKind.PARALLEL, NOW),
                        new StepStarted("both", 0, 1, "node-1", false)));
        return then(state, GraphOutcomes.fork(state, playbook, "both", 0, NOW));
    }

    static GraphOutcomes.Facts completed(List<StepCompleted> completed) {
        return new GraphOutcomes.Facts(() -> completed, (block, index) -> {
            throw new AssertionError("no item is read");
        });
    }

    @Test
    void aParallelStepStartsEveryBranchAtItsFirstStep() {
        var state = Decisions.run(ALL);
        then(
                state,
                List.of(
                        new StepScheduled("both", 0, StepKind.PARALLEL, NOW),
                        new StepStarted("both", 0, 1, "node-1", false)));
        var entries = GraphOutcomes.fork(state, ALL, "both", 0, NOW);
        assertEntries(
                entries,
                "BranchesStarted step=both branches.0=pay branches.1=pack",
                "StepScheduled step=both/pay/charge kind=agent",
                "StepScheduled step=both/pack/ship kind=agent");
        assertThat(state.blocks).as("deciding leaves the run as it was").isEmpty();
    }

    @Test
    void aBranchThatEndsWhileAnotherRunsOnlyEndsItself() {
        var state = then(forked(ALL), ran("both/pack/ship", StepKind.AGENT, SHIPPED, "end"));
        var entries = GraphOutcomes.follow(
                state, ALL, new Decision.GoOn("both/pack/ship", "end"), NOW, GraphOutcomes.Facts.NONE);
        assertEntries(entries, "BranchEnded step=both branch=pack completed=true outputs.ship.by=carrier");
        assertThat(state.blocks.get("both").branches).containsEntry("pack", "running");
    }

    @Test
    void theLastBranchToEndMakesTheJoinReadyAndTheRunGoesOn() {
        var state = forked(ALL);
        then(state, ran("both/pay/charge", StepKind.AGENT, CHARGED, "settle"));
        then(
                state,
                GraphOutcomes.follow(
                        state, ALL, new Decision.GoOn("both/pay/charge", "settle"), NOW, GraphOutcomes.Facts.NONE));
        then(state, ran("both/pay/settle", StepKind.WAIT, Json.object(), "end"));
        then(
                state,
                GraphOutcomes.follow(
                        state, ALL, new Decision.GoOn("both/pay/settle", "end"), NOW, GraphOutcomes.Facts.NONE));
        then(state, ran("both/pack/ship", StepKind.AGENT, SHIPPED, "end"));
        var entries = GraphOutcomes.follow(
                state, ALL, new Decision.GoOn("both/pack/ship", "end"), NOW, GraphOutcomes.Facts.NONE);
        assertEntries(
                entries,
                "BranchEnded branch=pack completed=true",
                "StepCompleted step=both output.pay.charge.reference=ch-1 output.pack.ship.by=carrier next=each",
                "StepScheduled step=each kind=forEach");
        Decisions.assertFolds(state, entries);
    }

    @Test
    void aJoinOnAnyCancelsTheOtherBranchAndUndoesWhatItCompletedBeforeGoingOn() {
        var state = forked(ANY);
        then(state, ran("both/pay/charge", StepKind.AGENT, CHARGED, "settle"));
        then(
                state,
                GraphOutcomes.follow(
                        state, ANY, new Decision.GoOn("both/pay/charge", "settle"), NOW, GraphOutcomes.Facts.NONE));
        then(state, ran("both/pack/ship", StepKind.AGENT, SHIPPED, "end"));
        var charge = new StepCompleted("both/pay/charge", 0, Json.object(), CHARGED, Optional.empty(), "settle");
        var entries = GraphOutcomes.follow(
                state, ANY, new Decision.GoOn("both/pack/ship", "end"), NOW, completed(List.of(charge)));
        assertEntries(
                entries,
                "BranchEnded branch=pack completed=true",
                "BranchEnded branch=pay completed=false",
                "BranchesUndoing step=both targets.0.step=both/pay/charge targets.0.output.reference=ch-1",
                "CompensationScheduled step=both/pay/charge iteration=0");
        Decisions.assertFolds(state, entries);

        then(state, entries);
        then(state, List.of(new CompensationCompleted("both/pay/charge", 0, CHARGED, Json.object(), "refund@1")));
        var joined = GraphOutcomes.follow(
                state, ANY, new Decision.UndoNext("both/pay/charge", 0), NOW, GraphOutcomes.Facts.NONE);
        assertEntries(
                joined, "StepCompleted step=both output.pack.ship.by=carrier next=each", "StepScheduled step=each");
        assertThat(Json.tree(Json.text(joined.getFirst())).path("output").has("pay"))
                .as("a cancelled branch has no outputs")
                .isFalse();
    }

    @Test
    void aJoinOnAnyWithNothingToUndoGoesOnAtOnce() {
        var state = then(forked(ANY), ran("both/pack/ship", StepKind.AGENT, SHIPPED, "end"));
        var entries =
                GraphOutcomes.follow(state, ANY, new Decision.GoOn("both/pack/ship", "end"), NOW, completed(List.of()));
        assertEntries(
                entries,
                "BranchEnded branch=pack completed=true",
                "BranchEnded branch=pay completed=false",
                "StepCompleted step=both next=each",
                "StepScheduled step=each");
    }

    /** A run whose parallel step is done and whose forEach step started. */
    static RunState listing() {
        var state = Decisions.run(ALL);
        return then(
                state,
                List.of(
                        new StepScheduled("each", 0, StepKind.FOR_EACH, NOW),
                        new StepStarted("each", 0, 1, "node-1", false)));
    }

    static final List<JsonNode> ITEMS = List.of(Json.tree("\"a\""), Json.tree("\"b\""), Json.tree("\"c\""));

    static GraphOutcomes.Facts items() {
        return new GraphOutcomes.Facts(
                () -> {
                    throw new AssertionError("no completed steps are read");
                },
                (block, index) -> ITEMS.get(index));
    }

    @Test
    void aForEachStartsAsManyItemsAsItsConcurrencyAllows() {
        var state = listing();
        var entries = GraphOutcomes.items(state, ALL, "each", ITEMS, NOW, items());
        assertEntries(
                entries,
                "ItemsListed step=each items.2=c",
                "IterationStarted step=each index=0 item=a",
                "StepScheduled step=each[0]/post",
                "IterationStarted step=each index=1 item=b",
                "StepScheduled step=each[1]/post");
    }

    @Test
    void aForEachOverNoItemsCompletesAtOnce() {
        var entries = GraphOutcomes.items(listing(), ALL, "each", List.of(), NOW, items());
        assertEntries(
                entries,
                "ItemsListed step=each",
                "StepCompleted step=each output=[] next=talk",
                "StepScheduled step=talk");
    }

    @Test
    void anIterationThatEndsStartsTheNextItemAndTheLastOneMakesTheJoinDue() {
        var state = listing();
        then(state, GraphOutcomes.items(state, ALL, "each", ITEMS, NOW, items()));
        then(state, ran("each[0]/post", StepKind.AGENT, SHIPPED, "end"));
        var next = GraphOutcomes.follow(state, ALL, new Decision.GoOn("each[0]/post", "end"), NOW, items());
        assertEntries(
                next,
                "IterationEnded step=each index=0 outputs.post.by=carrier",
                "IterationStarted step=each index=2 item=c",
                "StepScheduled step=each[2]/post");
        then(state, next);
        then(state, ran("each[1]/post", StepKind.AGENT, SHIPPED, "end"));
        assertEntries(
                GraphOutcomes.follow(state, ALL, new Decision.GoOn("each[1]/post", "end"), NOW, items()),
                "IterationEnded step=each index=1");
        then(state, GraphOutcomes.follow(state, ALL, new Decision.GoOn("each[1]/post", "end"), NOW, items()));
        then(state, ran("each[2]/post", StepKind.AGENT, SHIPPED, "end"));
        var last = GraphOutcomes.follow(state, ALL, new Decision.GoOn("each[2]/post", "end"), NOW, items());
        assertEntries(last, "IterationEnded step=each index=2", "JoinScheduled step=each iteration=0");
        Decisions.assertFolds(state, last);
    }

    @Test
    void aConversationStartsWithItsFirstSpeakerAndEachTurnThatEndsMakesItDueAgain() {
        var state = Decisions.run(ALL);
        then(
                state,
                List.of(
                        new StepScheduled("talk", 0, StepKind.CONVERSATION, NOW),
                        new StepStarted("talk", 0, 1, "node-1", false)));
        var first = GraphOutcomes.turn(state, ALL, "talk", 0, NOW);
        assertEntries(
                first,
                "TurnsStarted step=talk",
                "IterationStarted step=talk index=0 item=asker",
                "StepScheduled step=talk[0]/asker");
        then(state, first);
        then(state, ran("talk[0]/asker", StepKind.AGENT, SHIPPED, "end"));
        var ended = GraphOutcomes.follow(
                state, ALL, new Decision.GoOn("talk[0]/asker", "end"), NOW, GraphOutcomes.Facts.NONE);
        assertEntries(
                ended,
                "IterationEnded step=talk index=0 outputs.speaker=asker outputs.agent=chase outputs.output.by=carrier",
                "JoinScheduled step=talk");
        var second = GraphOutcomes.turn(then(state, ended), ALL, "talk", 1, NOW);
        assertEntries(
                second, "IterationStarted step=talk index=1 item=answerer", "StepScheduled step=talk[1]/answerer");
    }

    @Test
    void deciderLeavesTheRunItDecidesFromAsItWas() {
        var state = then(forked(ALL), ran("both/pack/ship", StepKind.AGENT, SHIPPED, "end"));
        String before = Json.text(state);
        var all = new ArrayList<JournalEntry>();
        all.addAll(GraphOutcomes.follow(
                state, ALL, new Decision.GoOn("both/pack/ship", "end"), NOW, GraphOutcomes.Facts.NONE));
        assertThat(all).isNotEmpty();
        assertThat(Json.text(state)).isEqualTo(before);
    }
}
