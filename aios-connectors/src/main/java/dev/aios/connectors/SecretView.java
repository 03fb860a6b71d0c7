package dev.aios.connectors;

/**
 * A named secret as {@code aios secret list} shows it: never its value.
 *
 * @param name the name settings and playbooks refer to
 * @param source where its value comes from: {@code stored} (set with {@code aios secret set},
 *     encrypted under the master key), {@code environment} (an environment variable of that name) or
 *     {@code not set} (referred to by the settings, but set nowhere)
 */
public record SecretView(String name, String source) {}
