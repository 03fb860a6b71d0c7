package dev.aios.kernel;

/**
 * How far long maintenance work has come (verify, rebuild), for a progress bar: called with how
 * many units are done of how many, from the thread doing the work.
 */
@FunctionalInterface
public interface ProgressListener {
    /** Progress that nobody watches. */
    ProgressListener NONE = (done, total) -> {};

    /** {@code done} of {@code total} units are done. */
    void advanced(long done, long total);
}
