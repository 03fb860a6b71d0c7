package dev.aios.server.internal.console;

import java.util.List;
import java.util.Optional;

/**
 * One task in full: the card, what its step used (memory recalled, model calls) and what its run
 * spent so far, and the editors for edit-then-approve and skip-with-output.
 *
 * @param frame the page's frame
 * @param card the task as the inbox shows it
 * @param recalled memory items the step recalled, with their scores
 * @param models model calls the step made, with tokens and cost
 * @param runCost what the run's model calls cost so far, in US dollars
 * @param runStatus the run's status
 * @param edit the edit of the proposed output, as typed and checked
 * @param skip the output to skip a failed step with, as typed and checked
 */
public record TaskPage(
        Frame frame,
        TaskCard card,
        List<Fact> recalled,
        List<Fact> models,
        String runCost,
        String runStatus,
        EditCheck edit,
        EditCheck skip) {

    /** The problem to show beside the editor, if the last edit was refused. */
    public Optional<String> editProblem() {
        return edit.problem();
    }
}
