package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What escalating an open task did, recorded in the task's escalation history.
 *
 * @param rail what was done: e.g. {@code remind}, {@code delegate}, {@code default}, or {@code
 *     none} when nothing was due after all
 * @param note what happened, in the operator's words
 * @param detail the particulars (recipient, contractor, receipt)
 * @param next when the task escalates again; empty for never
 * @param answer an answer the kernel gives the task on the operator's behalf (a declared default
 *     action), after recording this escalation
 */
public record Escalation(String rail, String note, JsonNode detail, Optional<Instant> next, Optional<Answer> answer) {

    public Escalation {
        Objects.requireNonNull(rail, "rail");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(answer, "answer");
    }

    /**
     * An answer taken on the operator's behalf.
     *
     * @param approve approve (else reject)
     * @param output the output to approve with, instead of the proposed one
     * @param comment kept with the answer, e.g. why it was taken by default
     */
    public record Answer(boolean approve, Optional<JsonNode> output, String comment) {
        public Answer {
            Objects.requireNonNull(output, "output");
            Objects.requireNonNull(comment, "comment");
        }
    }
}
