package dev.aios.kernel.internal.store;

import java.time.Instant;
import java.util.List;

/** Every playbook version seen, so that a run pinned to one finds it after its file changed. */
public interface PlaybookStore {

    /**
     * One version.
     *
     * @param definition the playbook as JSON
     * @param loadedAt when it was first loaded
     */
    record StoredPlaybook(String name, String version, String source, String definition, Instant loadedAt) {}

    /** Every version stored. */
    List<StoredPlaybook> all();

    /**
     * Makes {@code active} the active versions and every other inactive; a version not stored yet
     * is added with its {@code loadedAt}, one stored before keeps its own.
     */
    void activate(List<StoredPlaybook> active);
}
