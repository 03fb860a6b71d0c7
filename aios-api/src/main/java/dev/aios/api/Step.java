package dev.aios.api;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A node of a playbook. Every step has an id unique in its playbook (nested steps included) and,
 * except where a kind says otherwise, continues with {@link #next()}: the named step, {@value #END}
 * to end the run (or, inside a parallel branch or a forEach body, that branch or iteration), or,
 * when empty, the step that follows it in its list.
 */
public sealed interface Step
        permits AgentStep,
                ApprovalStep,
                WaitStep,
                AwaitStep,
                BranchStep,
                EmitStep,
                ParallelStep,
                ForEachStep,
                CallStep,
                ConversationStep,
                SendStep {

    /** The {@link #next()} that ends the run. */
    String END = "end";

    /** The step's id, unique in its playbook. */
    String id();

    /** Where the run goes after this step; empty means the following step. */
    Optional<String> next();

    /** The kind's name as written in YAML: {@code agent}, {@code approval}, {@code wait}, … */
    String kind();

    /** Checks a step id and returns it. */
    static String checkId(String id) {
        if (id == null || !Ids.STEP.matcher(id).matches()) {
            throw new IllegalArgumentException("step id '" + id
                    + "' must start with a letter and contain only letters, digits, '-' and '_' (at most 64)");
        }
        if (END.equals(id)) {
            throw new IllegalArgumentException("'end' is reserved for the end of the run; name the step otherwise");
        }
        return id;
    }

    /** Holder of the id pattern, kept out of the interface's public surface. */
    final class Ids {
        static final Pattern STEP = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

        private Ids() {}
    }
}
