package dev.aios.kernel;

import java.time.Instant;
import java.util.Optional;

/**
 * One line of the run list.
 *
 * @param id the run's id
 * @param playbook the playbook's name
 * @param version the playbook version the run is pinned to
 * @param subject what the run is about
 * @param status where the run is, a {@link RunStatus}: running, waiting, needs-attention, compensating,
 *     completed, failed, cancelled or compensated
 * @param currentStep the step the run is at, empty when it has ended
 * @param createdAt when it started
 * @param updatedAt when it last changed
 */
public record RunSummary(
        String id,
        String playbook,
        String version,
        String subject,
        RunStatus status,
        Optional<String> currentStep,
        Instant createdAt,
        Instant updatedAt) {}
