package dev.aios.server.internal.console;

import dev.aios.kernel.TaskView;
import java.util.List;

/**
 * A task as the inbox shows it.
 *
 * @param task the task
 * @param kindLabel its kind in words
 * @param why why it is here: the rule or threshold that fired, the confidence, the amount, the error
 * @param provenance where it comes from: run, subject, playbook and agent versions, trigger
 * @param input what the step was given, as indented JSON ("" when nothing)
 * @param proposed the output approval commits, as indented JSON ("" when nothing)
 * @param age how long ago it was opened, e.g. {@code 3 min}
 * @param answers the answers the task's kind allows, in the order to offer them
 */
public record TaskCard(
        TaskView task,
        String kindLabel,
        List<Fact> why,
        List<Fact> provenance,
        String input,
        String proposed,
        String age,
        List<String> answers) {

    /** Whether the operator may answer {@code answer}. */
    public boolean allows(String answer) {
        return answers.contains(answer);
    }

    /** Whether the task holds an output the operator may edit before approving. */
    public boolean editable() {
        return allows("edit");
    }
}
