package dev.aios.connectors;

import java.time.Instant;
import java.util.Optional;

/**
 * A named secret as {@code aios secret list} shows it: never its value.
 *
 * @param name the name settings and playbooks refer to
 * @param source where its value comes from: {@code stored} (set with {@code aios secret set}, sealed in
 *     the database) or {@code environment} (an environment variable of that name)
 * @param updated when a stored secret was last set
 */
public record SecretView(String name, String source, Optional<Instant> updated) {}
