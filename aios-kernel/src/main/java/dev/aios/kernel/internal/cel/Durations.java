package dev.aios.kernel.internal.cel;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Duration literals as playbooks write them: ISO-8601 ({@code P3D}, {@code PT10S}, {@code P2W}) or
 * short ({@code 72h}, {@code 90s}, {@code 15m}, {@code 2d}, {@code 500ms}, {@code 1h30m}).
 */
public final class Durations {

    private static final Pattern SHORT = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d|w))+");
    private static final Pattern SHORT_PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w)");
    private static final Pattern ISO_WEEKS = Pattern.compile("([-+]?)[pP](\\d{1,9})[wW]");

    private Durations() {}

    /** The duration {@code text} denotes, or empty when it is not a duration literal. */
    public static Optional<Duration> parseLiteral(String text) {
        var trimmed = text.strip();
        try {
            if (SHORT.matcher(trimmed).matches()) {
                return Optional.of(shortForm(trimmed));
            }
            var weeks = ISO_WEEKS.matcher(trimmed);
            if (weeks.matches()) {
                var days = Duration.ofDays(Math.multiplyExact(Long.parseLong(weeks.group(2)), 7));
                return Optional.of(weeks.group(1).equals("-") ? days.negated() : days);
            }
            if (trimmed.matches("[-+]?[pP].*")) {
                return Optional.of(Duration.parse(trimmed));
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
        return Optional.empty();
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
                        default -> throw new IllegalStateException("unit " + parts.group(2));
                    };
            total = total.plus(part);
        }
        return total;
    }
}
