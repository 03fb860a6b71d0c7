package dev.aios.kernel.internal.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskStatus;
import dev.aios.kernel.internal.journal.JournalEntry;
import dev.aios.kernel.internal.playbook.StepPaths;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a run recorded that a what-if replay may use: its trigger, every step's input and output (by
 * path and iteration), which awaits timed out, which outputs waited for review, and which tasks the
 * operator rejected.
 */
public final class Recording {

    /**
     * How one iteration of one step ended.
     *
     * @param next where the run went next, as recorded
     * @param timedOut whether it was an await that gave up
     */
    record Done(JsonNode input, JsonNode output, Optional<String> agent, String next, boolean timedOut) {}

    final String runId;
    final String playbook;
    final String version;
    final String subject;
    final JsonNode trigger;
    final Instant startedAt;
    final RunStatus status;
    private final Map<String, Done> done = new HashMap<>();
    private final Set<String> reviewed = new HashSet<>();
    private final Set<String> rejected = new HashSet<>();
    private final Set<String> ran = new LinkedHashSet<>();

    private Recording(String runId, JournalEntry.RunStarted started, Instant startedAt, RunStatus status) {
        this.runId = runId;
        this.playbook = started.playbook();
        this.version = started.version();
        this.subject = started.subject();
        this.trigger = started.trigger();
        this.startedAt = startedAt;
        this.status = status;
    }

    /**
     * Reads a run's journal.
     *
     * @param entries the run's entries, oldest first, with when each was appended
     * @param status how the run ended (or where it is)
     */
    public static Recording of(String runId, List<Map.Entry<JournalEntry, Instant>> entries, RunStatus status) {
        if (entries.isEmpty() || !(entries.getFirst().getKey() instanceof JournalEntry.RunStarted started)) {
            throw new IllegalArgumentException("run " + runId + " has no RunStarted entry to replay from");
        }
        var recording = new Recording(runId, started, entries.getFirst().getValue(), status);
        var tasks = new HashMap<String, String>();
        for (var item : entries) {
            switch (item.getKey()) {
                case JournalEntry.StepScheduled e -> recording.ran.add(StepPaths.staticPath(e.step()));
                case JournalEntry.StepCompleted e ->
                    recording.done.put(
                            key(e.step(), e.iteration()), new Done(e.input(), e.output(), e.agent(), e.next(), false));
                case JournalEntry.AwaitTimedOut e ->
                    recording.done.put(
                            key(e.step(), e.iteration()), new Done(null, null, Optional.empty(), e.next(), true));
                case JournalEntry.TaskOpened e -> {
                    tasks.put(e.task(), key(e.step(), e.iteration()));
                    if (e.kind() == TaskKind.REVIEW || e.kind() == TaskKind.DRAFT) {
                        recording.reviewed.add(key(e.step(), e.iteration()));
                    }
                }
                case JournalEntry.TaskResolved e -> {
                    if (e.decision() == TaskStatus.REJECTED && tasks.containsKey(e.task())) {
                        recording.rejected.add(tasks.get(e.task()));
                    }
                }
                default -> {}
            }
        }
        return recording;
    }

    static String key(String path, int iteration) {
        return path + "#" + iteration;
    }

    Optional<Done> done(String path, int iteration) {
        return Optional.ofNullable(done.get(key(path, iteration)));
    }

    boolean reviewed(String path, int iteration) {
        return reviewed.contains(key(path, iteration));
    }

    boolean rejected(String path, int iteration) {
        return rejected.contains(key(path, iteration));
    }

    /** The playbook the run ran. */
    public String playbook() {
        return playbook;
    }

    /** The static paths of every step the run entered, in the order first entered. */
    Set<String> ran() {
        return ran;
    }
}
