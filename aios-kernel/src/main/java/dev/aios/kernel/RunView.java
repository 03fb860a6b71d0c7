package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything about one run, as {@code aios run show} prints it.
 *
 * @param id the run's id
 * @param playbook the playbook's name
 * @param version the playbook version the run is pinned to
 * @param subject what the run is about
 * @param status where the run is, a {@link RunStatus}: running, waiting, needs-attention, compensating,
 *     completed, failed, cancelled or compensated
 * @param createdAt when it started
 * @param updatedAt when it last changed
 * @param trigger the event that started it
 * @param context the run's working context: the outputs of its steps
 * @param steps every step entered so far, latest iteration of each, in the order entered
 * @param tasks the run's operator tasks, open and resolved
 * @param error why the run failed, if it did
 * @param journalEntries how many journal entries the run has
 * @param parent the run whose call step started this one, if any
 * @param children the runs this one started with call steps, in the order started
 */
public record RunView(
        String id,
        String playbook,
        String version,
        String subject,
        RunStatus status,
        Instant createdAt,
        Instant updatedAt,
        JsonNode trigger,
        JsonNode context,
        List<StepView> steps,
        List<TaskView> tasks,
        Optional<String> error,
        long journalEntries,
        Optional<RunLink> parent,
        List<RunLink> children) {

    public RunView {
        children = List.copyOf(children);
    }
}
