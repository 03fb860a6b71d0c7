package dev.aios.kernel;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a list, and where the next one starts.
 *
 * @param items this page's items, in the list's order
 * @param next the cursor to pass as {@code after} for the next page; empty on the last page
 * @param <T> what the list holds
 */
public record Page<T>(List<T> items, Optional<String> next) {
    public Page {
        items = List.copyOf(items);
        Objects.requireNonNull(next, "next");
    }
}
