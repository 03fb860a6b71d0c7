package dev.aios.connectors;

import java.time.Instant;
import java.util.List;

/**
 * A scheduled playbook, as {@code aios schedules} lists it.
 *
 * @param playbook the playbook
 * @param schedule how its schedule is written, e.g. {@code 0 9 * * MON (Europe/Berlin)} or {@code every 15m}
 * @param missed what happens to firings missed while aios was down: skip, once or all
 * @param passed the latest firing time passed (fired or, when missed, dropped)
 * @param next the next firing times, soonest first
 */
public record ScheduleView(String playbook, String schedule, String missed, Instant passed, List<Instant> next) {
    public ScheduleView {
        next = List.copyOf(next);
    }
}
