package dev.aios.memory.spi;

import java.time.LocalDate;
import java.util.List;

/**
 * Writes the summary that replaces a subject's old episodic items of one day when retention compacts
 * them. Without a model memory summarizes extractively; with one configured, the model writes it.
 */
public interface Summarizer {

    /** How summaries are written, shown in stats, e.g. {@code extractive}. */
    String name();

    /**
     * A summary of {@code texts}, the items about {@code subject} on {@code day}, oldest first.
     *
     * @throws RuntimeException when it cannot summarize now; memory then summarizes extractively
     */
    String summarize(String subject, LocalDate day, List<String> texts);
}
