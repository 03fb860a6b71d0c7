package dev.aios.kernel;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a finished run would have done under another version of its playbook: its recorded trigger,
 * agent outputs, events and operator answers fed to the other version, without calling any agent or
 * connector, and every place where the other version behaves differently.
 *
 * @param runId the run replayed
 * @param playbook the playbook's name
 * @param recordedVersion the version the run ran on
 * @param againstVersion the version it was replayed against
 * @param recordedOutcome how the run ended, e.g. {@code completed}
 * @param outcome how the replay ended: {@code same} (no divergence), {@code diverges} (it went
 *     through, differently) or {@code stopped} (the other version needed something the run never
 *     recorded, such as the output of an agent it never called, so the replay could not go on)
 * @param stepsCompared how many steps the replay went through
 * @param divergences where the other version behaves differently, in the order met
 */
public record WhatIfReport(
        String runId,
        String playbook,
        String recordedVersion,
        String againstVersion,
        String recordedOutcome,
        String outcome,
        int stepsCompared,
        List<Divergence> divergences) {

    public WhatIfReport {
        Objects.requireNonNull(runId, "runId");
        divergences = List.copyOf(divergences);
    }

    /** Whether the other version would behave exactly as the recorded run did. */
    public boolean same() {
        return divergences.isEmpty();
    }

    /**
     * One place where the other version behaves differently.
     *
     * @param step the step's path in the run, e.g. {@code route} or {@code contacts[3]/lookup}
     * @param kind what differs
     * @param detail what differs, in words
     * @param recorded what the run recorded there (an input, a branch target, …), or null
     * @param wouldBe what the other version gives instead, or null
     */
    public record Divergence(String step, Kind kind, String detail, JsonNode recorded, JsonNode wouldBe) {

        /** What differs at a step. */
        public enum Kind {
            /** A branch (or an approval's answer, an await's timeout) leads elsewhere. */
            BRANCH,
            /** A step gets a different input. */
            INPUT_CHANGED,
            /** A step calls another agent. */
            AGENT_CHANGED,
            /** An agent's output would (or would no longer) wait for the operator's review. */
            APPROVAL_CHANGED,
            /** A step the other version runs never ran in the recorded run; the replay stops there. */
            STEP_NOT_RECORDED,
            /**
             * A step the other version runs never ran in the recorded run, but needs nothing recorded
             * (an emit, a send), so the replay goes on.
             */
            STEP_ADDED,
            /** A step that ran in the recorded run is not reached by the other version. */
            STEP_NOT_REACHED,
            /** A forEach runs over a different number of items, or a conversation takes other turns. */
            COUNT_CHANGED,
            /** An expression of the other version cannot be evaluated on the recorded data. */
            EVALUATION_FAILED,
            /** The run would end differently. */
            OUTCOME_CHANGED;

            /** The name used on the wire, e.g. {@code input-changed}. */
            @JsonValue
            public String wire() {
                return name().toLowerCase(Locale.ROOT).replace('_', '-');
            }
        }
    }
}
