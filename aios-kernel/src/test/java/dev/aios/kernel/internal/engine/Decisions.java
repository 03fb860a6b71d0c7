package dev.aios.kernel.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.StepKind;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.journal.JournalEntry.RunStarted;
import dev.aios.kernel.internal.journal.JournalEntry.StepCompleted;
import dev.aios.kernel.internal.journal.JournalEntry.StepScheduled;
import dev.aios.kernel.internal.journal.JournalEntry.StepStarted;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.PlaybookCompiler;
import dev.aios.kernel.internal.playbook.YamlPlaybookReader;
import dev.aios.kernel.internal.run.RunFold;
import dev.aios.kernel.internal.run.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** What the decision tables share: a playbook, runs built from entries, and expected entries. */
final class Decisions {
    private Decisions() {}

    static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

    static final String CHECKOUT = """
            name: checkout
            trigger: order.placed
            defaults:
              retry: { attempts: 3, backoff: 1s, jitter: 0.5 }
            steps:
              - id: charge
                agent: charge
                input: { order: event.data.order }
                compensate: { agent: refund, input: { order: steps.charge.order } }
              - id: ship
                agent: ship
                input: { order: event.data.order }
                retry: { attempts: 2, backoff: 2s, nonRetryable: [IllegalArgumentException] }
                onFailure: compensate
              - id: confirm
                approval: { title: "Ship it?" }
                onReject: chase
              - id: hold
                wait: { for: 1h }
              - id: deliver
                await: { event: delivered, timeout: P7D, onTimeout: chase }
                next: announce
              - id: announce
                emit: { type: order.done }
                next: end
              - id: chase
                agent: chase
                input: { order: event.data.order }
                next: deliver
            """;

    static final CompiledPlaybook PLAYBOOK = compile(CHECKOUT);

    static CompiledPlaybook compile(String yaml) {
        var parsed = new YamlPlaybookReader().read("checkout.yaml", yaml);
        return new PlaybookCompiler(new Cel())
                .compile(
                        parsed.playbook(),
                        "checkout.yaml",
                        parsed.lines(),
                        Set.of("charge", "refund", "ship", "chase"));
    }

    /** A run of the checkout playbook that went through {@code entries} after its start. */
    static RunState run(JournalEntry... entries) {
        var state = RunFold.empty("r-1");
        var trigger = Json.object().put("id", "e-1").put("type", "order.placed").put("seq", 1);
        trigger.putObject("data").put("order", "o-1");
        RunFold.apply(state, new RunStarted("checkout", PLAYBOOK.version(), "acme", trigger), NOW);
        for (var entry : entries) {
            RunFold.apply(state, entry, NOW);
            state.seq++;
        }
        return state;
    }

    /** A run of {@code playbook} that went through {@code entries} after its start. */
    static RunState run(CompiledPlaybook playbook, JournalEntry... entries) {
        var state = RunFold.empty("r-1");
        var trigger = Json.object().put("id", "e-1").put("type", "order.placed").put("seq", 1);
        trigger.putObject("data").put("order", "o-1");
        RunFold.apply(state, new RunStarted(playbook.name(), playbook.version(), "acme", trigger), NOW);
        for (var entry : entries) {
            RunFold.apply(state, entry, NOW);
            state.seq++;
        }
        return state;
    }

    /** The entries of a step that was scheduled and started {@code attempts} times. */
    static List<JournalEntry> started(String step, int iteration, StepKind kind, int attempts) {
        var entries = new ArrayList<JournalEntry>();
        entries.add(new StepScheduled(step, iteration, kind, NOW));
        for (int a = 1; a <= attempts; a++) {
            entries.add(new StepStarted(step, iteration, a, "node-1", false));
        }
        return entries;
    }

    /** The entries of a step that completed with {@code output}. */
    static List<JournalEntry> completed(String step, StepKind kind, JsonNode output, String next) {
        var entries = started(step, 0, kind, 1);
        entries.add(new StepCompleted(step, 0, Json.object(), output, Optional.empty(), next));
        return entries;
    }

    static JournalEntry[] concat(List<?>... parts) {
        var all = new ArrayList<JournalEntry>();
        for (var part : parts) {
            for (var entry : part) {
                all.add((JournalEntry) entry);
            }
        }
        return all.toArray(JournalEntry[]::new);
    }

    /**
     * The entries of {@code decision} followed by those of what it says follows them, as the
     * engine appends them; worked out on a copy of {@code state}, which is left as it is.
     */
    static List<JournalEntry> followed(Decision decision, RunState state, CompiledPlaybook playbook) {
        var copy = Json.read(Json.text(state), RunState.class);
        var all = new ArrayList<JournalEntry>();
        Advance.Sink sink = new Advance.Sink() {
            @Override
            public RunState state() {
                return copy;
            }

            @Override
            public void append(JournalEntry entry) {
                RunFold.apply(copy, entry, NOW);
                copy.seq++;
                all.add(entry);
            }
        };
        decision.entries().forEach(sink::append);
        Advance.Lookup none = new Advance.Lookup() {
            @Override
            public JsonNode item(String block, int index) {
                throw new UnsupportedOperationException("no forEach in the decision tables");
            }

            @Override
            public List<JournalEntry.CompensationTarget> undoable(CompiledPlaybook playbook, List<String> scopes) {
                throw new UnsupportedOperationException("no parallel step in the decision tables");
            }
        };
        switch (decision.then()) {
            case Decision.Stop stop -> {}
            case Decision.GoOn go -> Advance.after(sink, playbook, go.from(), go.next(), NOW, none);
            case Decision.UndoNext undo -> sink.append(Saga.next(copy, copy.compensation.done));
        }
        return all;
    }

    private static final Pattern FIELD = Pattern.compile("([\\w.]+)(=|~)(\"([^\"]*)\"|'([^']*)'|\\S+)");

    /**
     * Asserts that {@code actual} are entries as {@code expected} says, one line each: the stored
     * type, then {@code path=value} (equal) or {@code path~value} (contains), the value quoted with ' or \" when it holds spaces, for the fields that
     * matter, e.g. {@code StepScheduled step=ship iteration=0}. A path may go into objects and
     * lists: {@code targets.0.step=charge}.
     */
    static void assertEntries(List<JournalEntry> actual, String... expected) {
        assertThat(actual.stream().map(JournalEntry::type).toList())
                .as("entry types")
                .containsExactlyElementsOf(
                        List.of(expected).stream().map(e -> e.split(" ", 2)[0]).toList());
        for (int i = 0; i < expected.length; i++) {
            var json = Json.tree(Json.text(actual.get(i)));
            var fields = FIELD.matcher(expected[i]);
            while (fields.find()) {
                String want = fields.group(4) != null
                        ? fields.group(4)
                        : fields.group(5) != null ? fields.group(5) : fields.group(3);
                var node = json;
                for (String part : fields.group(1).split("\\.")) {
                    node = part.matches("\\d+") ? node.path(Integer.parseInt(part)) : node.path(part);
                }
                String got = node.isValueNode() ? node.asText() : node.toString();
                var field = assertThat(got).as(actual.get(i).type() + " " + fields.group(1));
                if (fields.group(2).equals("=")) {
                    field.isEqualTo(want);
                } else {
                    field.contains(want);
                }
            }
        }
    }

    /** Asserts the entries can be appended to {@code state}: every status change they make is allowed. */
    static void assertFolds(RunState state, List<JournalEntry> entries) {
        var copy = Json.read(Json.text(state), RunState.class);
        for (var entry : entries) {
            RunFold.apply(copy, entry, NOW);
        }
    }
}
