package dev.aios.server.internal.console;

import dev.aios.kernel.RunSummary;
import java.util.List;
import java.util.Optional;

/**
 * The run list with its filters.
 *
 * @param frame the page's frame
 * @param status the status filter, "" for any
 * @param playbook the playbook filter, "" for any
 * @param subject the subject filter, "" for any
 * @param from runs started on or after this day (YYYY-MM-DD), "" for no bound
 * @param to runs started on or before this day, "" for no bound
 * @param runs this page's runs, newest first
 * @param next the link to the next page, when there is one
 * @param statuses every status, for the filter
 * @param playbooks every playbook name, for the filter
 */
public record RunsPage(
        Frame frame,
        String status,
        String playbook,
        String subject,
        String from,
        String to,
        List<RunSummary> runs,
        Optional<String> next,
        List<String> statuses,
        List<String> playbooks) {}
