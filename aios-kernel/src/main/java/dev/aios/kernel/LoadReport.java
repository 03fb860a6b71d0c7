package dev.aios.kernel;

import java.util.List;

/**
 * What loading playbooks did: the versions now loaded, and what was refused and why. A refused
 * file is refused whole; the playbooks it would have replaced keep their previous version.
 *
 * @param loaded playbook versions loaded (new or unchanged)
 * @param refused problems of the files that were refused
 */
public record LoadReport(List<PlaybookInfo> loaded, List<PlaybookException.Problem> refused) {
    public LoadReport {
        loaded = List.copyOf(loaded);
        refused = List.copyOf(refused);
    }
}
