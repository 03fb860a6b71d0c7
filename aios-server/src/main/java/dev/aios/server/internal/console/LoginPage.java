package dev.aios.server.internal.console;

import java.util.Optional;

/**
 * The sign-in page.
 *
 * @param next where to go once signed in
 * @param problem why the last attempt failed, if it did
 */
public record LoginPage(String next, Optional<String> problem) {}
