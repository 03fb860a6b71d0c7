package dev.aios.kernel;

import java.util.List;

/**
 * How two versions of a playbook differ: in what they say, and in what they would have done with
 * recent runs.
 *
 * @param playbook the playbook's name
 * @param from the version compared from (the one the runs ran on)
 * @param to the version compared to
 * @param added static paths of steps only {@code to} has
 * @param removed static paths of steps only {@code from} has
 * @param changed static paths of steps both have, written differently
 * @param runs the finished runs of {@code from} replayed against {@code to}, newest first
 */
public record PlaybookDiff(
        String playbook,
        String from,
        String to,
        List<String> added,
        List<String> removed,
        List<String> changed,
        List<WhatIfReport> runs) {

    public PlaybookDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        runs = List.copyOf(runs);
    }

    /** The runs that would behave differently. */
    public List<WhatIfReport> differing() {
        return runs.stream().filter(r -> !r.same()).toList();
    }
}
