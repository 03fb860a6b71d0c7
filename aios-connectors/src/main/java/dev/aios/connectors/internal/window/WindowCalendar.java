package dev.aios.connectors.internal.window;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.kernel.spi.BatchWindows;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The batch windows of {@code windows:} in {@code aios.yaml}, each a daily span of local time in a
 * zone, e.g. {@code overnight: "01:00-05:00 Europe/Berlin"}; a span may cross midnight ({@code
 * 22:00-06:00}). Without a zone, the machine's own.
 */
public final class WindowCalendar implements BatchWindows {
    private static final Pattern SPAN = Pattern.compile("(\\d{1,2}:\\d{2})\\s*-\\s*(\\d{1,2}:\\d{2})(?:\\s+(\\S+))?");

    /** One daily window. */
    record Window(LocalTime from, LocalTime to, ZoneId zone, String text) {
        Optional<Instant> closedUntil(Instant now) {
            var local = now.atZone(zone);
            var time = local.toLocalTime();
            boolean open = from.isBefore(to)
                    ? !time.isBefore(from) && time.isBefore(to)
                    : !time.isBefore(from) || time.isBefore(to);
            if (open) {
                return Optional.empty();
            }
            var today = ZonedDateTime.of(local.toLocalDate(), from, zone);
            var opens = today.isAfter(local)
                    ? today
                    : ZonedDateTime.of(local.toLocalDate().plusDays(1), from, zone);
            return Optional.of(opens.toInstant());
        }
    }

    private final Map<String, Window> windows;

    private WindowCalendar(Map<String, Window> windows) {
        this.windows = Map.copyOf(windows);
    }

    /**
     * Reads the {@code windows} section.
     *
     * @throws IllegalArgumentException naming the window and how to write one
     */
    public static WindowCalendar read(JsonNode section) {
        var windows = new LinkedHashMap<String, Window>();
        if (section != null && !section.isMissingNode() && !section.isNull()) {
            if (!section.isObject()) {
                throw new IllegalArgumentException(
                        "windows: must be a mapping from name to span, e.g. overnight: \"01:00-05:00 Europe/Berlin\"");
            }
            section.properties()
                    .forEach(entry -> windows.put(entry.getKey(), window(entry.getKey(), entry.getValue())));
        }
        return new WindowCalendar(windows);
    }

    private static Window window(String name, JsonNode value) {
        var path = "windows." + name;
        if (!name.matches("[a-z][a-z0-9-]*")) {
            throw new IllegalArgumentException(path + ": a window's name is lower-case words, e.g. overnight");
        }
        var text = value.asText("").strip();
        var match = SPAN.matcher(text);
        if (!match.matches()) {
            throw new IllegalArgumentException(path + ": '" + text
                    + "' is not a daily span; write e.g. \"01:00-05:00 Europe/Berlin\" (the zone is optional)");
        }
        try {
            var from = LocalTime.parse(pad(match.group(1)));
            var to = LocalTime.parse(pad(match.group(2)));
            if (from.equals(to)) {
                throw new IllegalArgumentException(path + ": a window opens and closes at different times");
            }
            var zone = match.group(3) == null ? ZoneId.systemDefault() : ZoneId.of(match.group(3));
            return new Window(from, to, zone, text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(path + ": '" + text + "' has a time that is not HH:MM", e);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(path + ": '" + match.group(3) + "' is not a time zone", e);
        }
    }

    private static String pad(String time) {
        return time.length() == 4 ? "0" + time : time;
    }

    @Override
    public Set<String> names() {
        return windows.keySet();
    }

    @Override
    public Optional<Instant> closedUntil(String window, Instant now) {
        return find(window).closedUntil(now);
    }

    @Override
    public String describe(String window) {
        return find(window).text();
    }

    private Window find(String name) {
        var window = windows.get(name);
        if (window == null) {
            throw new IllegalArgumentException("no batch window is named '" + name + "'");
        }
        return window;
    }
}
