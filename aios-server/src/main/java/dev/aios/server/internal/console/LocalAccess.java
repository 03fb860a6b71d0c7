package dev.aios.server.internal.console;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Access for a server that has no token store: one operator token made when the server starts,
 * with every scope, and one-time sign-in links to it that {@code aios up} prints. The token lives
 * only in this process, so a restart signs everybody out.
 */
public final class LocalAccess implements Access {
    /** How long a printed sign-in link works. */
    public static final Duration LINK_LIFETIME = Duration.ofMinutes(15);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token = random();
    private final InstantSource clock;
    private final Map<String, Instant> codes = new ConcurrentHashMap<>();

    public LocalAccess(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public Optional<Grant> grant(String candidate) {
        return java.security.MessageDigest.isEqual(
                        candidate.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        token.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                ? Optional.of(new Grant("operator", EnumSet.allOf(Scope.class)))
                : Optional.empty();
    }

    @Override
    public Optional<String> redeem(String code) {
        var expires = codes.remove(code);
        return expires != null && clock.instant().isBefore(expires) ? Optional.of(token) : Optional.empty();
    }

    /** A new one-time sign-in code, valid for {@link #LINK_LIFETIME}. */
    public String oneTimeCode() {
        var code = random();
        codes.put(code, clock.instant().plus(LINK_LIFETIME));
        return code;
    }

    /** The operator token, for clients in this process (tests, benchmarks). */
    public String token() {
        return token;
    }

    static String random() {
        var bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
