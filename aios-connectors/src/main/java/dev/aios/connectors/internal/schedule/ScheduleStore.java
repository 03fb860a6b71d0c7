package dev.aios.connectors.internal.schedule;

import dev.aios.kernel.spi.Storage;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Where each scheduled playbook stands: the SQL of schedules, in one place. */
final class ScheduleStore {
    private final Storage storage;

    ScheduleStore(Storage storage) {
        this.storage = storage;
    }

    /** Starts counting {@code playbook}'s firings from {@code from}, unless it has a position already. */
    void begin(String playbook, Instant from) {
        storage.write(h -> h.update(
                "INSERT INTO connector_schedules (playbook, last_tick) VALUES (?, ?) ON CONFLICT (playbook) DO NOTHING",
                playbook,
                from));
    }

    /** The latest firing time {@code playbook} has passed. */
    Optional<Instant> last(String playbook) {
        return Optional.ofNullable(positions().get(playbook));
    }

    /** Every scheduled playbook's position. */
    Map<String, Instant> positions() {
        return storage.read(h -> {
            var out = new HashMap<String, Instant>();
            h.query("SELECT playbook, last_tick FROM connector_schedules", r -> {
                out.put(r.text("playbook"), r.instant("last_tick"));
                return null;
            });
            return out;
        });
    }

    /** Moves {@code playbook}'s position forward to {@code tick} (never back). */
    void passed(String playbook, Instant tick) {
        storage.write(h -> h.update(
                "UPDATE connector_schedules SET last_tick = ? WHERE playbook = ? AND last_tick < ?",
                tick,
                playbook,
                tick));
    }
}
