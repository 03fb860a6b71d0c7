package dev.aios.kernel.internal.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.store.WorkKey;
import dev.aios.kernel.internal.store.WorkStore.WorkItem;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a writer's transaction can tell of the items due longest without asking the database. */
class DueAheadTest {
    private static final long NOW = 1_000_000;

    private static WorkKey key(String run) {
        return new WorkKey(run, "step", 0);
    }

    private static WorkRow free(long due) {
        return new WorkRow("step", due, 0, null, null);
    }

    private static List<String> runs(List<WorkItem> items) {
        return items.stream().map(item -> item.key().runId()).toList();
    }

    @Test
    void aLookThatFoundFewerThanItAskedForKnowsEveryItemDueAndTheItemsMadeDueSince() {
        var ahead = new DueAhead(8, NOW);
        ahead.found(key("old"), free(NOW - 500));
        // Made due by the transaction itself (a new run's first step), and one leased since.
        ahead.change(key("new"), row -> free(NOW - 10));
        ahead.change(key("taken"), row -> free(NOW - 900));
        ahead.change(key("taken"), row -> new WorkRow("step", NOW - 900, 1, "node/1", NOW + 30_000));
        // Not due yet.
        ahead.change(key("later"), row -> free(NOW + 60_000));

        assertThat(runs(ahead.due(NOW, 2))).containsExactly("old", "new");
        assertThat(runs(ahead.due(NOW, 1))).containsExactly("old");
    }

    @Test
    void aLookThatFoundAsManyAsItAskedForAnswersOnlyUpToTheLastItFound() {
        var ahead = new DueAhead(2, NOW);
        ahead.found(key("a"), free(NOW - 500));
        ahead.found(key("b"), free(NOW - 400));
        ahead.change(key("new"), row -> free(NOW - 10));

        assertThat(runs(ahead.due(NOW, 2))).containsExactly("a", "b");
        // Items it did not find may be due before the new one.
        assertThat(ahead.due(NOW, 3)).isNull();
        ahead.change(key("a"), row -> null);
        assertThat(runs(ahead.due(NOW, 1))).containsExactly("b");
        assertThat(ahead.due(NOW, 2)).isNull();
    }

    @Test
    void aChangeToAnItemItDoesNotKnowDoesNotMakeItKnown() {
        var ahead = new DueAhead(8, NOW);
        // A lease let go of an item it never saw: its kind and attempt are not known here.
        ahead.change(key("unseen"), row -> row == null ? null : row.dueAgain(NOW - 5));

        assertThat(ahead.due(NOW, 2)).isEmpty();
    }

    @Test
    void workChangedUnseenIsForgottenAndAClockSetApartAsksTheDatabase() {
        var ahead = new DueAhead(8, NOW);
        ahead.found(key("a"), free(NOW - 500));
        ahead.found(key("b"), free(NOW - 400));
        assertThat(ahead.due(NOW + 60_000, 2)).isNull();
        assertThat(ahead.due(NOW - 60_000, 2)).isNull();

        ahead.forget("a");
        assertThat(runs(ahead.due(NOW, 2))).containsExactly("b");
        ahead.forget(null);
        assertThat(ahead.due(NOW, 2)).isNull();
    }
}
