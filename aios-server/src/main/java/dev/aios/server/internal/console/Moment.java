package dev.aios.server.internal.console;

/**
 * One journal entry on a run's timeline.
 *
 * @param seq the entry's number in the run's journal
 * @param at when it was appended, e.g. {@code 14:02:31.250}
 * @param type the entry's type, e.g. {@code StepFailed}
 * @param summary what happened, in one line
 * @param tone how it reads: {@code ok}, {@code bad}, {@code task}, {@code effect}, {@code note} or {@code plain}
 * @param data the entry's content as indented JSON
 * @param checksum the first characters of its chained checksum
 */
public record Moment(long seq, String at, String type, String summary, String tone, String data, String checksum) {}
