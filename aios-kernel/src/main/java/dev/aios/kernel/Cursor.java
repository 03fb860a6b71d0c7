package dev.aios.kernel;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A position in a list ordered newest first: the time and id of the last item seen. Passed on the
 * wire as an opaque string ({@code ?after=}).
 *
 * @param at the last item's time
 * @param id the last item's id, which orders items of the same time
 */
public record Cursor(Instant at, String id) {

    /** The cursor as a URL-safe string. */
    public String encode() {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((at.toEpochMilli() + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads a cursor given by {@link #encode()}.
     *
     * @throws InvalidInputException when it is not one
     */
    public static Cursor decode(String value) {
        try {
            var text = new String(Base64.getUrlDecoder().decode(value.strip()), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon < 1) {
                throw new IllegalArgumentException("no separator");
            }
            return new Cursor(
                    Instant.ofEpochMilli(Long.parseLong(text.substring(0, colon))), text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "'" + value + "' is not a cursor; pass the 'next' value of the previous page as 'after'");
        }
    }
}
