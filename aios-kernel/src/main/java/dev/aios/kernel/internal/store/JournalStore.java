package dev.aios.kernel.internal.store;

import java.util.List;
import java.util.Optional;

/** The runs' journals: append-only, the source of truth every derived table is rebuilt from. */
public interface JournalStore {

    /** A journal entry with its place in the feed. */
    record Positioned(long position, StoredEntry entry) {}

    /** A subject and a codec its entries may be encoded by (one key generation's). */
    record Encoding(String subject, String codec) {}

    /**
     * Appends an entry. Its {@code seq} must follow the run's last one.
     *
     * @return the entry's position in the feed: positions grow with commit order, so a reader that
     *     has seen every entry up to a position never gets one below it later
     */
    long append(StoredEntry entry);

    /**
     * Appends an entry whose feed position nobody needs, which a store may send to the database
     * together with later statements. Its {@code seq} must follow the run's last one.
     */
    default void add(StoredEntry entry) {
        append(entry);
    }

    /** The run's entries after {@code afterSeq}, oldest first. */
    List<StoredEntry> entries(String runId, long afterSeq);

    /** At most {@code limit} of the run's entries after {@code afterSeq}, oldest first. */
    List<StoredEntry> entries(String runId, long afterSeq, int limit);

    /** The checksum of the run's entry {@code seq}, if it exists. */
    Optional<String> checksum(String runId, long seq);

    /** Every run that has a journal, by id. */
    List<String> runIds();

    /**
     * Records the entries of run {@code runId} about {@code subject} as about {@code pseudonym}
     * instead (the subject is not covered by the checksums, so the chain still verifies).
     */
    void pseudonymize(String runId, String subject, String pseudonym);

    /**
     * Runs with an entry about a subject encoded by the codec paired with it in {@code encodings},
     * in the order of their ids. The journal is not indexed by subject (each entry would pay for it);
     * the store reads it through once for many encodings at a time, not once each.
     */
    List<String> runsEncodedWith(java.util.Collection<Encoding> encodings);

    /** Up to {@code limit} entries after feed position {@code position}, in feed order. */
    List<Positioned> after(long position, int limit);
}
