package dev.aios.kernel;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a subject was forgotten, found by its name without keeping the name: the name's keyed
 * pseudonym is looked up.
 *
 * @param subject the subject asked about
 * @param pseudonym the name its records carry once forgotten
 * @param forgottenAt when it was last forgotten; empty when it never was
 * @param runs how many runs are filed under the pseudonym
 * @param events how many events are filed under the pseudonym
 * @param seenSince whether aios holds data about the subject again, sent after it was forgotten
 */
public record ForgetCheck(
        String subject, String pseudonym, Optional<Instant> forgottenAt, long runs, long events, boolean seenSince) {

    /** Whether the subject was ever forgotten. */
    public boolean forgotten() {
        return forgottenAt.isPresent();
    }
}
