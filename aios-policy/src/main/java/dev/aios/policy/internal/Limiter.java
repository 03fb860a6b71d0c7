package dev.aios.policy.internal;

import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.kernel.spi.Storage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rate limits on agent steps, per agent, subject or playbook: sliding windows of the steps admitted.
 * A step over a limit waits until the oldest step in its window leaves it. (Spend limits and limits
 * on model connectors are checked by the model gateway, before each call.)
 *
 * <p>On SQLite one process owns the database (its data directory is locked), so the windows live in
 * its memory and admitting a step costs no write. On PostgreSQL several nodes admit steps against the
 * same limits, so the steps admitted are rows of {@code policy_admissions}, counted and added in one
 * transaction of the writer, under a lock every node takes first: N nodes admit what one would. A row
 * leaves its window by itself, so a node that dies keeps nothing beyond the steps it really started.
 */
public final class Limiter {
    /** A step that must wait: which limit, why, until when. */
    public record Deferred(String limit, String why, Instant until) {}

    /** A limit that applies to a step, under the key its window is kept by. */
    private record Counted(String key, Rules.Limit limit) {
        Deferred deferred(Instant oldest) {
            return new Deferred(
                    limit.describe(),
                    "limit " + limit.describe() + " is reached; the step waits",
                    oldest.plus(limit.per()));
        }
    }

    private final Optional<Storage> shared;
    private final Map<String, ArrayDeque<Instant>> windows = new HashMap<>();

    private Limiter(Optional<Storage> shared) {
        this.shared = shared;
    }

    /** The limiter for the database behind {@code storage}: in memory on SQLite, shared on PostgreSQL. */
    public static Limiter on(Storage storage) {
        return switch (storage.dialect()) {
            case SQLITE -> new Limiter(Optional.empty());
            case POSTGRESQL -> new Limiter(Optional.of(storage));
        };
    }

    /** Admits {@code step} now, or says until when it waits. */
    public Optional<Deferred> admit(CompiledPolicy policy, StepFacts step, Instant now) {
        var counted = counted(policy, step);
        if (counted.isEmpty()) {
            return Optional.empty();
        }
        return shared.isPresent() ? shared(shared.get(), counted, now) : local(counted, now);
    }

    private static List<Counted> counted(CompiledPolicy policy, StepFacts step) {
        var counted = new ArrayList<Counted>();
        for (var limit : policy.limits()) {
            if (limit.calls().isEmpty()) {
                continue;
            }
            var name =
                    switch (limit.scope()) {
                        case AGENT -> step.agent();
                        case SUBJECT -> step.subject();
                        case PLAYBOOK -> step.playbook().name();
                        case CONNECTOR -> null;
                    };
            if (name == null || !limit.applies(name)) {
                continue;
            }
            // A changed limit (calls or window) starts a window of its own.
            counted.add(new Counted(
                    limit.scope().wire() + ":" + name + ":" + limit.per() + ":"
                            + limit.calls().get(),
                    limit));
        }
        return counted;
    }

    /** Checks every window and adds the step to all of them, or to none, as one step. */
    private synchronized Optional<Deferred> local(List<Counted> counted, Instant now) {
        for (var c : counted) {
            var window = windows.computeIfAbsent(c.key(), k -> new ArrayDeque<>());
            while (!window.isEmpty()
                    && !window.peekFirst().isAfter(now.minus(c.limit().per()))) {
                window.pollFirst();
            }
            if (window.size() >= c.limit().calls().get()) {
                return Optional.of(c.deferred(window.peekFirst()));
            }
        }
        for (var c : counted) {
            windows.get(c.key()).addLast(now);
        }
        return Optional.empty();
    }

    private static Optional<Deferred> shared(Storage storage, List<Counted> counted, Instant now) {
        return storage.write(h -> {
            // The kernel's writers already take turns across nodes; this lock keeps the count and the
            // admission one step on its own, whatever the writers do.
            h.count("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock(hashtext('aios.policy.rates'))) AS rates");
            for (var c : counted) {
                var since = now.minus(c.limit().per());
                h.update("DELETE FROM policy_admissions WHERE limit_key = ? AND at <= ?", c.key(), since);
                if (h.count("SELECT COUNT(*) FROM policy_admissions WHERE limit_key = ?", c.key())
                        >= c.limit().calls().get()) {
                    return Optional.of(c.deferred(oldest(h, c.key())));
                }
            }
            for (var c : counted) {
                h.update("INSERT INTO policy_admissions (limit_key, at) VALUES (?, ?)", c.key(), now);
            }
            return Optional.<Deferred>empty();
        });
    }

    private static Instant oldest(Handle h, String key) {
        return Instant.ofEpochMilli(h.count("SELECT MIN(at) FROM policy_admissions WHERE limit_key = ?", key));
    }
}
