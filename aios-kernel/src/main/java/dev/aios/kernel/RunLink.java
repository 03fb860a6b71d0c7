package dev.aios.kernel;

/**
 * A run linked to another by a call step: a parent's child, or a child's parent.
 *
 * @param run the linked run's id
 * @param step the call step's path in the parent, e.g. {@code deliver} or {@code items[2]/deliver}
 * @param iteration the call step's iteration
 * @param playbook the child's playbook (for a parent link: the parent's)
 * @param version its version
 * @param waits whether the call step waits for the child
 * @param status the linked run's status as last known, e.g. {@code running} or {@code completed}
 */
public record RunLink(
        String run, String step, int iteration, String playbook, String version, boolean waits, String status) {}
