package dev.aios.api;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an agent promises. The kernel derives the input and output JSON Schema from the record
 * types, checks {@link #preconditions()} (CEL over {@code input}) before the call and enforces
 * {@link #timeout()}.
 *
 * <p>Create one with {@link #of} and refine it with the {@code withX} copies:
 *
 * <pre>{@code
 * Contract.of("qualify-lead", "1.0.0", Lead.class, Score.class)
 *     .withDescription("Scores a lead against the studio's ideal client profile")
 *     .withPreconditions("input.email != ''")
 *     .withTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * @param name unique agent name, lower-case words joined by dashes
 * @param version the agent's version; recorded with every step it runs
 * @param input the input record type
 * @param output the output record type
 * @param description one sentence for the operator
 * @param preconditions CEL conditions over {@code input} that must all hold before the call
 * @param effects names of the external effects (connectors) the agent may use
 * @param timeout the longest one attempt may take
 */
public record Contract<I extends Record, O extends Record>(
        String name,
        String version,
        Class<I> input,
        Class<O> output,
        String description,
        List<String> preconditions,
        Set<String> effects,
        Duration timeout) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

    /** A record with no components, for contracts that check only the shared fields. */
    record Empty() {}

    /** The timeout of a contract that does not set one. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);

    public Contract {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(timeout, "timeout");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "agent name '" + name + "' must be lower-case words joined by dashes, e.g. 'qualify-lead'");
        }
        if (version.isBlank()) {
            throw new IllegalArgumentException("agent '" + name + "' needs a version, e.g. '1.0.0'");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("agent '" + name + "' timeout must be positive, was " + timeout);
        }
        preconditions = List.copyOf(preconditions);
        effects = Set.copyOf(effects);
    }

    /** A contract with no preconditions, no effects and the default timeout. */
    public static <I extends Record, O extends Record> Contract<I, O> of(
            String name, String version, Class<I> input, Class<O> output) {
        return new Contract<>(name, version, input, output, "", List.of(), Set.of(), DEFAULT_TIMEOUT);
    }

    /** A copy with another description. */
    public Contract<I, O> withDescription(String description) {
        return new Contract<>(name, version, input, output, description, preconditions, effects, timeout);
    }

    /** A copy with these preconditions (CEL over {@code input}). */
    public Contract<I, O> withPreconditions(String... preconditions) {
        return new Contract<>(name, version, input, output, description, List.of(preconditions), effects, timeout);
    }

    /** A copy declaring these effects. */
    public Contract<I, O> withEffects(String... effects) {
        return new Contract<>(name, version, input, output, description, preconditions, Set.of(effects), timeout);
    }

    /** A copy with another timeout. */
    public Contract<I, O> withTimeout(Duration timeout) {
        return new Contract<>(name, version, input, output, description, preconditions, effects, timeout);
    }
}
