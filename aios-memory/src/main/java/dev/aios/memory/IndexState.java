package dev.aios.memory;

import java.util.Locale;
import java.util.Objects;

/**
 * Whether memory's search index answers, or is being rebuilt from memory's tables and how far that
 * got: what {@code GET /health} shows under {@code memory.index}.
 *
 * @param phase ready; rebuilding (searches are refused until it is ready again); or failed (the
 *     rebuild stopped on an error, searches stay refused until a rebuild succeeds)
 * @param done chunks the running rebuild has indexed so far; 0 when ready
 * @param total chunks the running rebuild indexes in all; 0 when ready
 * @param reason why it is rebuilt, e.g. {@code the index is missing}, {@code format 2 → 3}, {@code
 *     model A → B}, {@code asked for}, and for a failed rebuild the error; empty when ready
 * @param chunks chunks the index holds now
 */
public record IndexState(Phase phase, long done, long total, String reason, long chunks) {
    public IndexState {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(reason, "reason");
    }

    /** A ready index of {@code chunks} chunks. */
    public static IndexState ready(long chunks) {
        return new IndexState(Phase.READY, 0, 0, "", chunks);
    }

    /** Whether a rebuild is running (or about to). */
    public boolean rebuilding() {
        return phase == Phase.REBUILDING;
    }

    /** Whether the index answers searches. */
    public boolean ready() {
        return phase == Phase.READY;
    }

    /** The index's phase, with its name on the wire. */
    public enum Phase {
        /** The index answers searches and follows every change. */
        READY,
        /** The index is filled again from memory's tables; searches wait for it. */
        REBUILDING,
        /**
         * The rebuild stopped on an error (the log has it): searches stay refused; a rebuild asked for
         * again, or the next start, tries again.
         */
        FAILED;

        /** Its name in JSON: {@code ready}, {@code rebuilding} or {@code failed}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
