package dev.aios.kernel.internal.access;

import dev.aios.kernel.Caller;
import dev.aios.kernel.ConflictException;
import dev.aios.kernel.InvalidInputException;
import dev.aios.kernel.IssuedToken;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Scope;
import dev.aios.kernel.TokenInfo;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * API tokens: 256 random bits each, shown once and stored as a SHA-256 hash. Creating and revoking
 * one is recorded in the audit log in the same transaction.
 */
public final class TokenStore {
    /** What every token starts with, so that a leaked one is easy to recognise and scan for. */
    public static final String PREFIX = "aios_";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Duration CACHED_FOR = Duration.ofSeconds(5);
    private static final Duration USE_RECORDED_EVERY = Duration.ofMinutes(1);

    /** A token looked up lately, by hash. */
    private record Known(Optional<TokenInfo> info, long until) {}

    private final Store store;
    private final AuditTrail audit;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Known> recent = new ConcurrentHashMap<>();
    private final Map<String, Instant> used = new ConcurrentHashMap<>();

    public TokenStore(Store store, AuditTrail audit, InstantSource clock) {
        this.store = store;
        this.audit = audit;
        this.clock = clock;
    }

    /** Creates a token; a name in use by an active token is refused, a revoked or expired one is replaced. */
    public IssuedToken create(String name, Set<Scope> scopes, Optional<Duration> expiresIn, String actor) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidInputException("a token name is 1 to 64 lower-case letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit, e.g. laptop; was '" + name + "'");
        }
        if (scopes.isEmpty()) {
            throw new InvalidInputException("a token needs a scope: read, ingest, operate or admin");
        }
        expiresIn.ifPresent(length -> {
            if (length.isNegative() || length.isZero()) {
                throw new InvalidInputException("a token must expire in the future, not in " + length);
            }
        });
        var secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
        Instant now = clock.instant();
        var info =
                new TokenInfo(name, scopes, now, actor, expiresIn.map(now::plus), Optional.empty(), Optional.empty());
        store.write(tx -> {
            var existing = tx.tokens().byName(name);
            if (existing.isPresent() && existing.get().status(now).equals("active")) {
                throw new ConflictException("a token named '" + name + "' exists already; revoke it first"
                        + " (aios token revoke " + name + ") or choose another name");
            }
            tx.tokens().put(name, hash(secret), scopes, now, actor, info.expiresAt());
            var details = Json.object().put("scopes", Scope.names(scopes));
            info.expiresAt().ifPresent(at -> details.put("expiresAt", at.toString()));
            audit.append(tx, actor, "token.create", name, details);
            return null;
        });
        forgetCached();
        return new IssuedToken(info, secret);
    }

    /** Every token, active or not, by name. */
    public List<TokenInfo> list() {
        return store.read(tx -> tx.tokens().all());
    }

    /** Revokes the token named {@code name}: it stops working at once. */
    public TokenInfo revoke(String name, String actor) {
        var revoked = store.write(tx -> {
            var existing = tx.tokens()
                    .byName(name)
                    .orElseThrow(() -> new NotFoundException("no token named '" + name + "'; see aios token list"));
            if (existing.revokedAt().isPresent()) {
                return existing;
            }
            Instant now = clock.instant();
            tx.tokens().revoke(name, now);
            audit.append(tx, actor, "token.revoke", name, Json.object());
            return tx.tokens().byName(name).orElseThrow();
        });
        forgetCached();
        return revoked;
    }

    /** Whether any token exists, active or not. */
    public boolean any() {
        return store.read(tx -> tx.tokens().any());
    }

    /**
     * Who {@code secret} belongs to, if it is a token that is neither revoked nor expired. Lookups
     * are cached for a few seconds; revoking in this process takes effect at once.
     */
    public Optional<Caller> authenticate(String secret) {
        if (secret == null || !secret.startsWith(PREFIX) || secret.length() > 200) {
            return Optional.empty();
        }
        String hash = hash(secret);
        long now = System.nanoTime();
        var known = recent.get(hash);
        if (known == null || known.until() - now < 0) {
            known = new Known(store.read(tx -> tx.tokens().byHash(hash)), now + CACHED_FOR.toNanos());
            if (recent.size() > 10_000) {
                recent.clear();
            }
            recent.put(hash, known);
        }
        Instant at = clock.instant();
        var info = known.info().filter(token -> token.status(at).equals("active"));
        info.ifPresent(token -> recordUse(token.name(), at));
        return info.map(token -> new Caller(token.name(), token.scopes()));
    }

    /** Notes that a token was used, at most once a minute per token, without waiting for it. */
    private void recordUse(String name, Instant at) {
        var last = used.get(name);
        if (last != null && last.plus(USE_RECORDED_EVERY).isAfter(at)) {
            return;
        }
        used.put(name, at);
        store.submit(tx -> {
            tx.tokens().used(name, at);
            return null;
        });
    }

    private void forgetCached() {
        recent.clear();
    }

    private byte[] bytes(int count) {
        var out = new byte[count];
        random.nextBytes(out);
        return out;
    }

    static String hash(String secret) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
