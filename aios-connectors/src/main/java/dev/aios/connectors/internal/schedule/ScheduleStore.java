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
        storage.write(c -> {
            try (var insert = c.prepareStatement(
                    "INSERT INTO connector_schedules (playbook, last_tick) VALUES (?, ?) ON CONFLICT (playbook) DO NOTHING")) {
                insert.setString(1, playbook);
                insert.setLong(2, from.toEpochMilli());
                return insert.executeUpdate();
            }
        });
    }

    /** The latest firing time {@code playbook} has passed. */
    Optional<Instant> last(String playbook) {
        return Optional.ofNullable(positions().get(playbook));
    }

    /** Every scheduled playbook's position. */
    Map<String, Instant> positions() {
        return storage.read(c -> {
            var out = new HashMap<String, Instant>();
            try (var query = c.prepareStatement("SELECT playbook, last_tick FROM connector_schedules");
                    var rows = query.executeQuery()) {
                while (rows.next()) {
                    out.put(rows.getString("playbook"), Instant.ofEpochMilli(rows.getLong("last_tick")));
                }
            }
            return out;
        });
    }

    /** Moves {@code playbook}'s position forward to {@code tick} (never back). */
    void passed(String playbook, Instant tick) {
        storage.write(c -> {
            try (var update = c.prepareStatement(
                    "UPDATE connector_schedules SET last_tick = MAX(last_tick, ?) WHERE playbook = ?")) {
                update.setLong(1, tick.toEpochMilli());
                update.setString(2, playbook);
                return update.executeUpdate();
            }
        });
    }
}
