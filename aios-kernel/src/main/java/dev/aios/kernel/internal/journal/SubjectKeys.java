package dev.aios.kernel.internal.journal;

import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Tx;
import dev.aios.kernel.spi.SubjectCipher;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-subject AES-256-GCM keys, kept in the database wrapped by the {@link MasterKey} (which is not
 * in the database) and created on first use. A sealed payload is
 * its 12-byte nonce followed by the ciphertext and tag; the key's generation travels in the codec
 * name ({@code aes-gcm:3}), so a subject forgotten and then seen again gets a fresh key.
 *
 * <p>Forgetting a subject destroys its keys and files their rows under the subject's {@link
 * Pseudonyms pseudonym}, so no row names it any more. Generations keep growing across that: a
 * subject seen again gets a generation above every one it had, so data sealed before it was
 * forgotten never opens with its new key. Payloads about a pseudonym (a run of a forgotten subject
 * still writing) are sealed with a key of generation 0 that is never kept: unreadable at once.
 *
 * <p>Each subject's current key is kept in memory once a payload was sealed or opened with it, for
 * at most {@link #KEPT_SUBJECTS} subjects (older generations are read each time). On
 * a store that several nodes share, another node may forget a subject whose key this node keeps:
 * the keys kept follow the store's count of {@link Store#forgets forgets} and are all dropped when
 * it grows. Inside the writer's transaction that count is the database's, read under the writers'
 * lock, so a payload is never sealed there with a key destroyed before it commits (a forget after it
 * destroys the key with the payload's others); elsewhere a forget is heard of within moments.
 */
public final class SubjectKeys implements SubjectCipher, PayloadCodec {
    private static final String PREFIX = "aes-gcm:";
    private static final int NONCE_BYTES = 12;
    /** The authentication tag GCM appends to the ciphertext, which is as long as the payload. */
    private static final int TAG_BYTES = 16;

    private static final String PURPOSE = "subject-key";
    /** The generation of the key nothing about a forgotten subject is sealed with: it is never kept. */
    private static final long NEVER_KEPT = 0;

    /**
     * The most subjects whose keys are kept in memory at once; more, and they are all dropped and
     * read again as they are used. A kept key holds its ciphers, one per thread and direction (a few
     * KB each with the expanded key), so this bounds the memory to tens of MB with the writer and a
     * few dozen workers, while far more subjects than a node works on at once.
     */
    static final int KEPT_SUBJECTS = 10_000;

    /** A subject's key of one generation; a key kept in {@link #current} keeps its ciphers too. */
    private record Key(long generation, Optional<SecretKey> secret, Optional<Ciphers> ciphers) {
        /** A key used once, for one payload: no cipher kept for it. */
        static Key once(long generation, SecretKey secret) {
            return new Key(generation, Optional.of(secret), Optional.empty());
        }

        /** A key kept for the subject: its ciphers are kept, per thread, as long as it is. */
        static Key kept(long generation, SecretKey secret) {
            return new Key(generation, Optional.of(secret), Optional.of(new Ciphers()));
        }
    }

    private final Store store;
    private final InstantSource clock;
    private final MasterKey master;
    private final Pseudonyms pseudonyms;
    private final SecureRandom random = new SecureRandom();
    /**
     * The first four bytes of every nonce this instance seals with, drawn at random when it is made;
     * the other eight ({@link #nonceCount}) start at random and count up. GCM must never use a nonce
     * twice with one key: within this instance a count never repeats (2^64 seals), and two instances
     * — processes sharing keys over time, or nodes sharing a store — repeat one only if they drew the
     * same four bytes and counts less than their number of seals apart out of 2^64, far less likely
     * than twelve random bytes for each seal colliding (NIST SP 800-38D, 8.2). Counting rather than
     * drawing every nonce spares a seal the random generator (a lock and a hash of its state).
     */
    private final int nonceHigh = random.nextInt();

    private final java.util.concurrent.atomic.AtomicLong nonceCount =
            new java.util.concurrent.atomic.AtomicLong(random.nextLong());
    /** The current generation of each subject whose key was committed; changed under {@code keeping}. */
    private final Map<String, Key> current = new ConcurrentHashMap<>();

    /**
     * The keys the write transaction in progress created or read, by subject, with the count of
     * forgets followed when they were: touched only on the writer's thread, moved out once the
     * transaction commits and dropped if it or the unit rolls back. A new subject's first payloads
     * (its event, then each of its run's first entries) are sealed in one transaction: the first
     * creates the key, the others take it from here instead of each reading it again in a nested
     * unit (a flush of the run's state, a savepoint, two reads and an unwrap).
     */
    private final Map<String, Written> written = new java.util.HashMap<>();

    /**
     * The subjects forgotten by the write transaction in progress: their keys kept in {@link
     * #current} are destroyed, though dropped from it only once the transaction commits. Touched only
     * on the writer's thread.
     */
    private final java.util.Set<String> forgottenNow = new java.util.HashSet<>();

    /** A key of {@link #written}. */
    private record Written(Key key, long followed) {}

    /** Held while keys are added to or dropped from {@link #current} (not to read it). */
    private final Object keeping = new Object();

    /** The store's count of forgets that {@link #current} follows; changed under {@code keeping}. */
    private volatile long forgetsFollowed;

    /** How many forgets committed through this node so far; changed under {@code keeping}. */
    private volatile long forgottenHere;

    /** The keys in {@code store}, wrapped by {@code master}. */
    public SubjectKeys(Store store, InstantSource clock, MasterKey master) {
        this.store = store;
        this.clock = clock;
        this.master = master;
        this.pseudonyms = new Pseudonyms(master);
    }

    /** The pseudonyms that replace forgotten subjects' names and event ids. */
    public Pseudonyms pseudonyms() {
        return pseudonyms;
    }

    @Override
    public String pseudonym(String subject) {
        return Pseudonyms.isPseudonym(subject) ? subject : pseudonyms.subject(subject);
    }

    /**
     * Wraps the keys that older versions stored bare, and checks that the master key opens the
     * stored ones, so that a wrong master key stops the start with a clear reason instead of
     * failing payload by payload.
     *
     * @return how many bare keys were wrapped
     */
    public int prepare() {
        // A read first: only a store an older version wrote has bare keys, and a write at every
        // start would wait for the writer (and a commit) before the API can answer.
        boolean anyBare = store.read(tx -> {
            if (!tx.keys().sized(MasterKey.BARE_BYTES).isEmpty()) {
                return true;
            }
            tx.keys().anyMaterial().ifPresent(this::unwrap);
            return false;
        });
        if (!anyBare) {
            return 0;
        }
        return store.write(tx -> {
            var bare = tx.keys().sized(MasterKey.BARE_BYTES);
            for (var key : bare) {
                tx.keys()
                        .replace(
                                key.subject(),
                                key.generation(),
                                master.wrap(key.material().orElseThrow(), PURPOSE));
            }
            tx.keys().anyMaterial().ifPresent(this::unwrap);
            return bare.size();
        });
    }

    @Override
    public Encoded encode(String subject, byte[] plain) {
        if (subject.isEmpty()) {
            return new Encoded("json", plain);
        }
        var key = currentKey(subject);
        return new Encoded(codecOf(key.generation()), encrypt(key, plain));
    }

    /**
     * {@inheritDoc} Sealed here, on the caller's thread, when the subject's key is kept in memory:
     * the writer then only checks that the key is still the one it would seal with. A key is never
     * created here (it is created in the transaction storing its first payload).
     */
    @Override
    public Prepared prepare(String subject, byte[] plain) {
        if (subject.isEmpty()) {
            return new Prepared(subject, plain, Optional.of(new Encoded("json", plain)), Optional.empty());
        }
        if (Pseudonyms.isPseudonym(subject) || store.inWrite()) {
            return Prepared.later(subject, plain);
        }
        followForgets();
        var key = current.get(subject);
        if (key == null) {
            return Prepared.later(subject, plain);
        }
        return new Prepared(
                subject,
                plain,
                Optional.of(new Encoded(codecOf(key.generation()), encrypt(key, plain))),
                Optional.of(key));
    }

    /**
     * {@inheritDoc} A payload sealed ahead is kept only if the key it was sealed with is, as a
     * {@link Key} kept, the very one {@link #currentKey} gives now: had a forget destroyed that key
     * (here or on another node) or a new generation replaced it, {@code currentKey} would give
     * another one, and the payload is sealed again with it. So nothing is stored sealed with a key
     * destroyed before the transaction storing it commits.
     */
    @Override
    public Encoded encode(Prepared prepared) {
        if (prepared.subject().isEmpty()) {
            return new Encoded("json", prepared.plain());
        }
        return sealed(prepared, currentKey(prepared.subject()));
    }

    /** {@code prepared} sealed with {@code key}: as it was sealed ahead if that was with this very key. */
    private Encoded sealed(Prepared prepared, Key key) {
        if (prepared.early().isPresent() && prepared.madeWith().orElse(null) == key) {
            return prepared.early().get();
        }
        return new Encoded(codecOf(key.generation()), encrypt(key, prepared.plain()));
    }

    /**
     * The stored bytes of {@code prepared} as {@link #encode(Prepared)} would make them, when that
     * needs nothing read or written: the subject's key is kept in memory (or none is needed). Empty
     * when the key would have to be read or created, so that a caller can first make sure the
     * payload is to be stored at all (a key is never created for a forgotten subject's duplicate).
     */
    public Optional<Encoded> encodeKept(Prepared prepared) {
        String subject = prepared.subject();
        if (subject.isEmpty() || Pseudonyms.isPseudonym(subject)) {
            return Optional.of(encode(prepared));
        }
        var key = keptKey(subject);
        return key == null ? Optional.empty() : Optional.of(sealed(prepared, key));
    }

    @Override
    public byte[] decode(String subject, String codec, byte[] stored) {
        if (codec.equals("json")) {
            return stored;
        }
        if (!codec.startsWith(PREFIX)) {
            throw new IllegalStateException("payload stored with codec '" + codec + "' cannot be read here");
        }
        long generation = Long.parseLong(codec.substring(PREFIX.length()));
        var key = generation(subject, generation).orElseThrow(() -> new ForgottenException(subject));
        return decrypt(key, stored);
    }

    @Override
    public byte[] seal(String subject, byte[] plain) {
        if (subject.isEmpty()) {
            return plain;
        }
        var key = currentKey(subject);
        byte[] sealed = encrypt(key, plain);
        return ByteBuffer.allocate(8 + sealed.length)
                .putLong(key.generation())
                .put(sealed)
                .array();
    }

    @Override
    public byte[] open(String subject, byte[] sealed) {
        if (subject.isEmpty()) {
            return sealed;
        }
        var buffer = ByteBuffer.wrap(sealed);
        long generation = buffer.getLong();
        byte[] rest = new byte[buffer.remaining()];
        buffer.get(rest);
        var key = generation(subject, generation).orElseThrow(() -> new ForgottenException(subject));
        return decrypt(key, rest);
    }

    /** The name of the codec that seals payloads with a subject's key of {@code generation}. */
    public static String codecOf(long generation) {
        return PREFIX + generation;
    }

    @Override
    public boolean isForgotten(String subject) {
        return store.read(tx ->
                forgotten(tx, subject).isPresent() && tx.keys().current(subject).isEmpty());
    }

    /**
     * When {@code subject} was last forgotten, if it was (it may have been seen again since): its
     * destroyed keys are filed under its pseudonym, or, if it was forgotten by an older version,
     * under its name.
     */
    public java.util.Optional<java.time.Instant> forgotten(Tx tx, String subject) {
        var filed = tx.keys().lastDestroyed(pseudonym(subject));
        return filed.isPresent() || Pseudonyms.isPseudonym(subject)
                ? filed
                : tx.keys().lastDestroyed(subject);
    }

    /**
     * Destroys every key of {@code subject} and files their rows under its pseudonym, in the
     * caller's transaction; the cache forgets it once the transaction commits.
     *
     * @return how many keys were destroyed
     */
    public int forget(Tx tx, String subject) {
        int destroyed = tx.keys().destroy(subject, clock.instant());
        tx.keys().rename(subject, pseudonym(subject));
        if (store.inWrite()) {
            // A payload sealed later in this transaction gets a new key, not the one just destroyed,
            // though the destroyed one stays kept in memory until the transaction commits.
            written.remove(subject);
            if (forgottenNow.add(subject)) {
                tx.onCommit(() -> forgottenNow.remove(subject));
                tx.onRollback(() -> forgottenNow.remove(subject));
            }
        }
        tx.onCommit(() -> {
            synchronized (keeping) {
                current.remove(subject);
                forgottenHere++;
            }
        });
        return destroyed;
    }

    /**
     * Drops every key kept if the store has heard of forgets the keys kept do not follow yet.
     *
     * @return the count of forgets the keys kept follow now
     */
    private long followForgets() {
        long heard = store.forgets();
        if (heard != forgetsFollowed) {
            synchronized (keeping) {
                if (heard > forgetsFollowed) {
                    current.clear();
                    forgetsFollowed = heard;
                }
            }
        }
        return forgetsFollowed;
    }

    /**
     * Keeps {@code key} as the current key of {@code subject}, read when the keys kept followed
     * {@code followed} forgets: not if the store heard of more since (the key may have been destroyed).
     */
    private void keep(String subject, Key key, long followed) {
        synchronized (keeping) {
            if (forgetsFollowed != followed) {
                return;
            }
            if (current.size() >= KEPT_SUBJECTS) {
                current.clear();
            }
            current.putIfAbsent(subject, key);
        }
    }

    /** The key new payloads about {@code subject} are sealed with, created if there is none. */
    private Key currentKey(String subject) {
        if (Pseudonyms.isPseudonym(subject)) {
            return Key.once(NEVER_KEPT, newSecret());
        }
        var kept = keptKey(subject);
        if (kept != null) {
            return kept;
        }
        boolean inWrite = store.inWrite();
        // Created inside the writer's transaction (nested when already in it), so that the key
        // commits with the first payload sealed by it, or not at all.
        return store.write(tx -> {
            // Read under the writers' lock: no forget commits between this and the commit.
            long followed = followForgets();
            var found = tx.keys()
                    .current(subject)
                    .map(k -> Key.kept(k.generation(), unwrap(k.material().orElseThrow())));
            if (found.isPresent()) {
                tx.onCommit(() -> keep(subject, found.get(), followed));
                writtenIn(tx, inWrite, subject, found.get(), followed);
                return found.get();
            }
            long generation =
                    Math.max(tx.keys().lastGeneration(subject), tx.keys().lastGeneration(pseudonym(subject))) + 1;
            var secret = newSecret();
            tx.keys().add(subject, generation, master.wrap(secret.getEncoded(), PURPOSE), clock.instant());
            var key = Key.kept(generation, secret);
            tx.onCommit(() -> keep(subject, key, followed));
            writtenIn(tx, inWrite, subject, key, followed);
            return key;
        });
    }

    /**
     * The current key of {@code subject} (not a pseudonym) as kept in memory, or by the write
     * transaction in progress; null when it must be read or created.
     */
    private Key keptKey(String subject) {
        followForgets();
        boolean inWrite = store.inWrite();
        var cached = inWrite && forgottenNow.contains(subject) ? null : current.get(subject);
        if (cached != null) {
            return cached;
        }
        if (inWrite) {
            var made = written.get(subject);
            if (made != null && made.followed() == forgetsFollowed) {
                return made.key();
            }
        }
        return null;
    }

    /**
     * Keeps {@code key} for the rest of the write transaction {@code tx} when the caller was in it
     * ({@code inWrite}): in {@link #written} until the transaction commits or the unit rolls back.
     */
    private void writtenIn(Tx tx, boolean inWrite, String subject, Key key, long followed) {
        if (!inWrite) {
            return;
        }
        written.put(subject, new Written(key, followed));
        tx.onCommit(() -> written.remove(subject));
        tx.onRollback(() -> written.remove(subject));
    }

    private Optional<Key> generation(String subject, long generation) {
        long followed = followForgets();
        var cached = current.get(subject);
        if (cached != null && cached.generation() == generation) {
            return Optional.of(cached);
        }
        Store.Unit<Optional<Key>> read =
                tx -> tx.keys().material(subject, generation).map(material -> Key.once(generation, unwrap(material)));
        if (store.inWrite()) {
            // Inside the writer, a key created earlier in the same transaction is only visible there.
            return store.write(read);
        }
        // The subject's current key is kept as it is read, so that payloads about a subject not sealed
        // since the start open without a read of the key, an unwrap and a new cipher each.
        long forgotten = forgottenHere;
        var found = store.read(tx -> {
            var now = tx.keys().current(subject).filter(k -> k.generation() == generation);
            return now.isPresent()
                    ? Optional.of(
                            Key.kept(generation, unwrap(now.get().material().orElseThrow())))
                    : read.run(tx);
        });
        found.filter(key -> key.ciphers().isPresent()).ifPresent(key -> keepOpened(subject, key, followed, forgotten));
        return found;
    }

    /**
     * Keeps {@code key}, read outside the writer as the current key of {@code subject}, unless a
     * forget committed since it was read: through the store's count of forgets, or through this node
     * ({@code forgotten}, its own forgets counted before the read), whose forget of the subject may
     * have destroyed the key after the read and dropped it from the keys kept before it was kept.
     */
    private void keepOpened(String subject, Key key, long followed, long forgotten) {
        synchronized (keeping) {
            if (forgottenHere == forgotten) {
                keep(subject, key, followed);
            }
        }
    }

    private SecretKey unwrap(byte[] stored) {
        return new SecretKeySpec(MasterKey.isBare(stored) ? stored : master.unwrap(stored, PURPOSE), "AES");
    }

    private SecretKey newSecret() {
        try {
            var generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is missing from this JVM", e);
        }
    }

    private byte[] encrypt(Key key, byte[] plain) {
        try {
            // A nonce this instance never used (see nonceHigh): GCM must never use one twice with a key.
            byte[] sealed = new byte[NONCE_BYTES + plain.length + TAG_BYTES];
            ByteBuffer.wrap(sealed, 0, NONCE_BYTES).putInt(nonceHigh).putLong(nonceCount.getAndIncrement());
            var secret = key.secret().orElseThrow();
            var cipher = cipher(key, Cipher.ENCRYPT_MODE);
            cipher.init(Cipher.ENCRYPT_MODE, secret, new GCMParameterSpec(TAG_BYTES * 8, sealed, 0, NONCE_BYTES));
            int written = cipher.doFinal(plain, 0, plain.length, sealed, NONCE_BYTES);
            return written == sealed.length - NONCE_BYTES ? sealed : Arrays.copyOf(sealed, NONCE_BYTES + written);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encrypt: " + e.getMessage(), e);
        }
    }

    private static byte[] decrypt(Key key, byte[] stored) {
        try {
            var cipher = cipher(key, Cipher.DECRYPT_MODE);
            cipher.init(
                    Cipher.DECRYPT_MODE, key.secret().orElseThrow(), new GCMParameterSpec(128, stored, 0, NONCE_BYTES));
            return cipher.doFinal(stored, NONCE_BYTES, stored.length - NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a sealed payload does not open with its key: it was altered", e);
        }
    }

    private static Cipher cipher(Key key, int mode) throws GeneralSecurityException {
        return key.ciphers().isPresent() ? key.ciphers().get().forThread(mode) : Ciphers.fresh();
    }

    /**
     * The AES-GCM ciphers of one kept key, one per thread and direction, so that a thread sealing or
     * opening many payloads with the key looks the cipher up and expands the key once, not once per
     * payload (a cipher initialised again with the same key keeps its key schedule). A cipher is not
     * thread-safe, hence one per thread; it is initialised with a fresh nonce for every payload. They
     * go when the key goes from the cache (a forgotten subject).
     */
    private static final class Ciphers {
        private final ThreadLocal<Cipher> sealing = new ThreadLocal<>();
        private final ThreadLocal<Cipher> opening = new ThreadLocal<>();

        Cipher forThread(int mode) throws GeneralSecurityException {
            var kept = mode == Cipher.ENCRYPT_MODE ? sealing : opening;
            var cipher = kept.get();
            if (cipher == null) {
                cipher = fresh();
                kept.set(cipher);
            }
            return cipher;
        }

        static Cipher fresh() throws GeneralSecurityException {
            return Cipher.getInstance("AES/GCM/NoPadding");
        }
    }
}
