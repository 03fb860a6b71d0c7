package dev.aios.server.internal.console;

import dev.aios.kernel.PlaybookException;
import dev.aios.kernel.PlaybookInfo;
import java.util.List;
import java.util.Optional;

/**
 * Every loaded playbook version, and the files that were refused.
 *
 * @param frame the page's frame
 * @param name the playbook the page is narrowed to, if any
 * @param versions the versions, active ones first
 * @param refused each problem of a refused file, with its line
 */
public record PlaybooksPage(
        Frame frame, Optional<String> name, List<Version> versions, List<PlaybookException.Problem> refused) {

    /**
     * One version.
     *
     * @param info what was loaded
     * @param runs how many runs it has
     * @param agents the agents its steps call
     * @param graph its steps as SVG
     */
    public record Version(PlaybookInfo info, long runs, List<String> agents, String graph) {}
}
