package dev.aios.kernel.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Named batch windows, such as {@code overnight}: a step whose options name a window waits,
 * deferred, until it is open. Offered by an extension that reads them from the settings.
 */
public interface BatchWindows {

    /** The names of the windows defined. */
    Set<String> names();

    /**
     * When {@code window} next opens, or empty when it is open at {@code now}.
     *
     * @throws IllegalArgumentException when no window has that name
     */
    Optional<Instant> closedUntil(String window, Instant now);

    /** How the window is written, e.g. {@code 01:00-05:00 Europe/Berlin}. */
    String describe(String window);
}
