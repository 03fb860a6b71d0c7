package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.policy.PolicyException;
import dev.aios.policy.PolicyVersion;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The policy in force: the newest version, compiled. Changing it appends a version and takes effect
 * for the next step at once, without a restart.
 */
public final class PolicyState {
    /** A version and its compiled rules. */
    public record Current(int version, CompiledPolicy policy) {}

    /**
     * Who makes a version and how, as the audit log records it.
     *
     * @param actor a token's name, {@code local} or {@code kernel}
     * @param action {@code policy.load} (aios.yaml), {@code policy.change}, {@code policy.rollback},
     *     {@code flag.change}, {@code suggestion.accept} or {@code suggestion.revoke}
     * @param target {@code policy}, the agent of a flag, or the suggestion
     */
    public record Cause(String actor, String action, String target) {
        /** A change of the whole policy by whoever the current thread acts for. */
        public static Cause change(String action) {
            return new Cause(dev.aios.kernel.Actor.current(), action, "policy");
        }
    }

    private final VersionStore versions;
    private final PolicyCel cel;
    private final InstantSource clock;
    private final AtomicReference<Current> current = new AtomicReference<>();

    public PolicyState(VersionStore versions, PolicyCel cel, InstantSource clock) {
        this.versions = versions;
        this.cel = cel;
        this.clock = clock;
    }

    /**
     * Loads the newest version; first brings in the aios.yaml policy when it changed since it was
     * last brought in (or there is no version yet).
     */
    public void load(JsonNode fromSettings) {
        var hash = sha256(VersionStore.text(fromSettings));
        var latest = versions.latest();
        if (latest.isEmpty() || !versions.lastSourceHash().orElse("").equals(hash)) {
            var compiled = PolicyReader.read(fromSettings, cel);
            int on = latest.map(PolicyVersion::version).orElse(0);
            var appended = versions.append(
                    on,
                    compiled.document(),
                    "aios.yaml",
                    latest.isEmpty() ? "the policy as aios.yaml first set it" : "aios.yaml changed",
                    clock.instant(),
                    hash,
                    new Cause(dev.aios.kernel.Actor.KERNEL, "policy.load", "policy"));
            latest = appended.or(versions::latest);
        }
        var version = latest.orElseThrow();
        current.set(new Current(version.version(), PolicyReader.read(version.document(), cel)));
    }

    /** The policy in force. */
    public Current current() {
        var now = current.get();
        if (now == null) {
            throw new IllegalStateException("the policy is not loaded yet");
        }
        return now;
    }

    /**
     * Makes {@code document} the policy, as a new version on top of {@code expected}.
     *
     * @throws PolicyException when the document has problems
     * @throws dev.aios.kernel.ConflictException when another change came first
     */
    public synchronized PolicyVersion change(
            int expected, JsonNode document, String author, String reason, Cause cause) {
        var compiled = PolicyReader.read(document, cel);
        var appended = versions.append(expected, compiled.document(), author, reason, clock.instant(), "", cause);
        if (appended.isEmpty()) {
            throw new dev.aios.kernel.ConflictException("the policy changed meanwhile (now version "
                    + versions.latest().map(PolicyVersion::version).orElse(0) + ", not " + expected
                    + "); read it again and make your change on that");
        }
        current.set(new Current(appended.get().version(), compiled));
        return appended.get();
    }

    /** Makes an earlier version's document the policy again, as a new version. */
    public synchronized PolicyVersion rollback(int to, String author, String reason, Cause cause) {
        var old = versions.get(to)
                .orElseThrow(() -> new PolicyException(
                        "there is no policy version " + to + "; list them with `aios policy versions`"));
        return change(
                current().version(),
                old.document(),
                author,
                reason.isBlank() ? "rolled back to version " + to : reason,
                cause);
    }

    /** Every version, newest first. */
    public List<PolicyVersion> versions() {
        return versions.all();
    }

    private static String sha256(String text) {
        try {
            var digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An empty policy: no rules, every default. */
    public static JsonNode empty() {
        return JsonNodeFactory.instance.objectNode();
    }
}
