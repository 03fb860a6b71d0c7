package dev.aios.connectors.internal.http;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads {@code Retry-After}: seconds, or an HTTP date (measured against the response's own Date). */
final class RetryAfter {
    private RetryAfter() {}

    static Optional<Duration> parse(Optional<String> header, HttpHeaders headers) {
        if (header.isEmpty() || header.get().isBlank()) {
            return Optional.empty();
        }
        var value = header.get().strip();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException notSeconds) {
            try {
                var until = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
                var now = headers.firstValue("Date")
                        .map(date -> ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME))
                        .orElse(ZonedDateTime.now(until.getZone()));
                var wait = Duration.between(now, until);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException unreadable) {
                return Optional.empty();
            }
        }
    }
}
