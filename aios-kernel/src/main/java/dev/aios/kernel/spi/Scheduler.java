package dev.aios.kernel.spi;

import dev.aios.api.Schedule;
import java.util.Map;

/**
 * Starts the playbooks whose trigger is a {@link Schedule}, offered by an extension. The kernel
 * refuses a scheduled playbook when no extension offers a scheduler, and asks the scheduler to check
 * each schedule as the playbook loads.
 */
public interface Scheduler {

    /**
     * Checks a schedule when a playbook declaring it loads.
     *
     * @throws IllegalArgumentException saying what is wrong with it; the playbook is then refused
     */
    void check(Schedule schedule);

    /**
     * The active scheduled playbooks, by name, after every load of the playbooks; a playbook no
     * longer listed is no longer scheduled. Start their runs with {@link ExtensionHost#startRun}.
     */
    void scheduled(Map<String, Schedule> playbooks);
}
