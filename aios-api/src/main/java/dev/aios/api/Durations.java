package dev.aios.api;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Durations as people write them in playbooks and settings: ISO-8601 ({@code P3D}, {@code PT10S},
 * {@code P2W}) or short ({@code 72h}, {@code 90s}, {@code 15m}, {@code 2d}, {@code 2w}, {@code 1y},
 * {@code 500ms}, {@code 1h30m}), and {@code 0}.
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d|w|y))+");
    private static final Pattern SHORT_PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w|y)");
    private static final Pattern ISO_WEEKS = Pattern.compile("([-+]?)[pP](\\d{1,9})[wW]");

    private Durations() {}

    /**
     * The duration {@code text} denotes.
     *
     * @throws IllegalArgumentException saying where ({@code what}) and how to write one
     */
    public static Duration parse(String text, String what) {
        return parse(text)
                .orElseThrow(() -> new IllegalArgumentException(
                        what + ": '" + text + "' is not a duration; write e.g. 30s, 15m, 72h, 5d or PT10S"));
    }

    /** The duration {@code text} denotes, or empty when it is not a duration. */
    public static Optional<Duration> parse(String text) {
        var trimmed = text.strip().toLowerCase(java.util.Locale.ROOT);
        if (trimmed.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        try {
            if (SHORT.matcher(trimmed).matches()) {
                return Optional.of(shortForm(trimmed));
            }
            var weeks = ISO_WEEKS.matcher(trimmed);
            if (weeks.matches()) {
                var days = Duration.ofDays(Math.multiplyExact(Long.parseLong(weeks.group(2)), 7));
                return Optional.of(weeks.group(1).equals("-") ? days.negated() : days);
            }
            if (trimmed.matches("[-+]?p.*")) {
                return Optional.of(Duration.parse(trimmed.toUpperCase(java.util.Locale.ROOT)));
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** {@code duration} in the short form, e.g. {@code 15m}, {@code 1h30m}, {@code 2d}, {@code 500ms}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0";
        }
        var out = new StringBuilder(duration.isNegative() ? "-" : "");
        var rest = duration.abs();
        long[] amounts = {
            rest.toDays(), rest.toHoursPart(), rest.toMinutesPart(), rest.toSecondsPart(), rest.toMillisPart()
        };
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < units.length; i++) {
            if (amounts[i] > 0) {
                out.append(amounts[i]).append(units[i]);
            }
        }
        return out.toString();
    }

    private static Duration shortForm(String text) {
        var total = Duration.ZERO;
        var parts = SHORT_PART.matcher(text);
        while (parts.find()) {
            long amount = Long.parseLong(parts.group(1));
            var part =
                    switch (parts.group(2)) {
                        case "ms" -> Duration.ofMillis(amount);
                        case "s" -> Duration.ofSeconds(amount);
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        case "d" -> Duration.ofDays(amount);
                        case "w" -> Duration.ofDays(Math.multiplyExact(amount, 7));
                        case "y" -> Duration.ofDays(Math.multiplyExact(amount, 365));
                        default -> throw new IllegalStateException("unit " + parts.group(2));
                    };
            total = total.plus(part);
        }
        return total;
    }
}
