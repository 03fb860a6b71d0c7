package dev.aios.server.internal.console;

import java.time.Duration;

/** Formatting the templates call. */
public final class TaskCardsView {
    private TaskCardsView() {}

    /** A duration at a glance: {@code 40 s}, {@code 3 min}, {@code 2 h}, {@code 5 d}. */
    public static String age(Duration duration) {
        return TaskCards.age(duration);
    }
}
