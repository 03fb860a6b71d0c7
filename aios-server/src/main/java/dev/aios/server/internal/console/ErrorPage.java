package dev.aios.server.internal.console;

import java.util.Optional;

/**
 * An error as the console shows it: a readable page, never a stack trace.
 *
 * @param frame the page's frame; empty when nobody is signed in
 * @param status the HTTP status
 * @param heading what went wrong, in a few words
 * @param detail what went wrong and what to do
 * @param back where to go from here
 */
public record ErrorPage(Optional<Frame> frame, int status, String heading, String detail, String back) {}
