package dev.aios.kernel.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.internal.store.sqlite.SqliteStore;
import dev.aios.kernel.spi.SubjectCipher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payloads sealed with subjects' keys: every seal takes a fresh nonce, so the same payload never
 * looks the same twice, and each opens with its own subject's key only, whichever thread sealed or
 * opens it (the ciphers are kept per thread and key).
 */
class SubjectKeysTest {
    @TempDir
    Path dir;

    private static final byte[] PLAIN =
            "{\"amount\":120,\"iban\":\"DE89370400440532013000\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theSamePayloadSealedTwiceLooksDifferentAndBothOpen() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));

            byte[] first = keys.seal("alice", PLAIN);
            byte[] second = keys.seal("alice", PLAIN);
            var encodedFirst = keys.encode("alice", PLAIN);
            var encodedSecond = keys.encode("alice", PLAIN);

            assertThat(first).isNotEqualTo(second);
            assertThat(encodedFirst.bytes()).isNotEqualTo(encodedSecond.bytes());
            assertThat(keys.open("alice", first)).isEqualTo(PLAIN);
            assertThat(keys.open("alice", second)).isEqualTo(PLAIN);
            assertThat(keys.decode("alice", encodedFirst.codec(), encodedFirst.bytes()))
                    .isEqualTo(PLAIN);
            assertThat(keys.decode("alice", encodedSecond.codec(), encodedSecond.bytes()))
                    .isEqualTo(PLAIN);
        }
    }

    @Test
    void noTwoSealsWithOneKeyShareANonceAcrossThreadsAndInstances() throws Exception {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var one = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            var other = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            var nonces = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
            var sealed = new java.util.concurrent.atomic.AtomicInteger();
            try (var threads = Executors.newFixedThreadPool(4)) {
                var done = new java.util.ArrayList<java.util.concurrent.Future<?>>();
                for (var keys : java.util.List.of(one, other, one, other)) {
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < 2_000; i++) {
                            // As the journal stores it: the nonce, then the ciphertext and tag.
                            var payload = keys.encode("alice", PLAIN);
                            nonces.add(java.util.HexFormat.of().formatHex(payload.bytes(), 0, 12));
                            sealed.incrementAndGet();
                            assertThat(one.decode("alice", payload.codec(), payload.bytes()))
                                    .isEqualTo(PLAIN);
                        }
                    }));
                }
                for (var f : done) {
                    f.get();
                }
            }
            assertThat(nonces).hasSize(sealed.get()).hasSize(8_000);
        }
    }

    @Test
    void payloadsOfSubjectsSealedInTurnOpenWithTheirOwnKeyOnly() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));

            byte[] alice = keys.seal("alice", PLAIN);
            byte[] bob = keys.seal("bob", PLAIN);
            byte[] aliceAgain = keys.seal("alice", PLAIN);

            assertThat(keys.open("bob", bob)).isEqualTo(PLAIN);
            assertThat(keys.open("alice", alice)).isEqualTo(PLAIN);
            assertThat(keys.open("alice", aliceAgain)).isEqualTo(PLAIN);
            assertThatThrownBy(() -> keys.open("bob", alice)).hasMessageContaining("does not open with its key");
            assertThatThrownBy(() -> keys.open("alice", bob)).hasMessageContaining("does not open with its key");
            // A failed opening leaves the thread's cipher usable for the next payload.
            assertThat(keys.open("alice", alice)).isEqualTo(PLAIN);
        }
    }

    @Test
    void aPayloadSealedOnOneThreadOpensOnAnother() throws Exception {
        try (var store = SqliteStore.open(dir.resolve("data"));
                var threads = Executors.newFixedThreadPool(2)) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            keys.seal("alice", PLAIN);

            byte[] sealedThere = CompletableFuture.supplyAsync(() -> keys.seal("alice", PLAIN), threads)
                    .get();
            byte[] sealedHere = keys.seal("alice", PLAIN);

            assertThat(keys.open("alice", sealedThere)).isEqualTo(PLAIN);
            assertThat(CompletableFuture.supplyAsync(() -> keys.open("alice", sealedHere), threads)
                            .get())
                    .isEqualTo(PLAIN);
        }
    }

    @Test
    void moreSubjectsThanKeysAreKeptForStillEachSealAndOpenWithTheirOwnKey() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            int subjects = SubjectKeys.KEPT_SUBJECTS + 500;

            // One transaction for all the new keys; they are kept as it commits, up to the bound.
            var sealed = store.write(tx -> {
                var all = new byte[subjects][];
                for (int i = 0; i < subjects; i++) {
                    all[i] = keys.seal("subject-" + i, PLAIN);
                }
                return all;
            });
            // Sealed again after the bound was passed: the keys read back are the same ones.
            byte[] again = keys.seal("subject-0", PLAIN);

            for (int i = 0; i < subjects; i++) {
                assertThat(keys.open("subject-" + i, sealed[i]))
                        .as("subject " + i)
                        .isEqualTo(PLAIN);
            }
            assertThat(keys.open("subject-0", again)).isEqualTo(PLAIN);
            assertThatThrownBy(() -> keys.open("subject-1", sealed[0]))
                    .hasMessageContaining("does not open with its key");
        }
    }

    @Test
    void aForgottenSubjectsPayloadNoLongerOpens() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            byte[] sealed = keys.seal("alice", PLAIN);
            assertThat(keys.open("alice", sealed)).isEqualTo(PLAIN);

            store.write(tx -> keys.forget(tx, "alice"));

            assertThatThrownBy(() -> keys.open("alice", sealed)).isInstanceOf(SubjectCipher.ForgottenException.class);
        }
    }

    @Test
    void afterARestartAPayloadOpensAndItsSubjectSealsWithTheSameKeyUntilItIsForgotten() {
        byte[] before;
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            before = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")))
                    .seal("alice", PLAIN);
        }
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            // Nothing sealed since the start: the key is read as the payload is opened, and kept.
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            assertThat(keys.open("alice", before)).isEqualTo(PLAIN);
            assertThat(keys.open("alice", before)).isEqualTo(PLAIN);
            byte[] after = keys.seal("alice", PLAIN);
            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            assertThat(elsewhere.open("alice", after)).isEqualTo(PLAIN);

            store.write(tx -> keys.forget(tx, "alice"));

            assertThatThrownBy(() -> keys.open("alice", before)).isInstanceOf(SubjectCipher.ForgottenException.class);
            assertThatThrownBy(() -> keys.open("alice", after)).isInstanceOf(SubjectCipher.ForgottenException.class);
            // Seen again: a new key, which the payloads from before the forget do not open with.
            byte[] seenAgain = keys.seal("alice", PLAIN);
            assertThat(keys.open("alice", seenAgain)).isEqualTo(PLAIN);
            assertThat(new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")))
                            .open("alice", seenAgain))
                    .isEqualTo(PLAIN);
            assertThatThrownBy(() -> keys.open("alice", before)).isInstanceOf(SubjectCipher.ForgottenException.class);
        }
    }

    @Test
    void aNewSubjectsPayloadsSealedInOneTransactionShareOneKeyThatOpensThemAfterwards() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));

            var sealed = store.write(tx -> java.util.List.of(
                    keys.encode("alice", PLAIN), keys.encode("alice", PLAIN), keys.encode("alice", PLAIN)));

            assertThat(sealed).extracting(PayloadCodec.Encoded::codec).containsOnly(SubjectKeys.codecOf(1));
            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            for (var encoded : sealed) {
                assertThat(elsewhere.decode("alice", encoded.codec(), encoded.bytes()))
                        .isEqualTo(PLAIN);
            }
        }
    }

    @Test
    void aKeyMadeByAChangeThatFailedIsNotUsedForTheNextPayload() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));

            assertThatThrownBy(() -> store.write(tx -> {
                        keys.seal("alice", PLAIN);
                        throw new IllegalStateException("the change fails after its first payload");
                    }))
                    .hasMessageContaining("the change fails");
            byte[] sealed = store.write(tx -> keys.seal("alice", PLAIN));

            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            assertThat(elsewhere.open("alice", sealed)).isEqualTo(PLAIN);
        }
    }

    @Test
    void aPayloadSealedAfterItsSubjectWasForgottenInTheSameTransactionOpensWithANewKey() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));

            var sealed = store.write(tx -> {
                byte[] before = keys.seal("alice", PLAIN);
                keys.forget(tx, "alice");
                return java.util.List.of(before, keys.seal("alice", PLAIN));
            });

            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            assertThatThrownBy(() -> elsewhere.open("alice", sealed.get(0)))
                    .isInstanceOf(SubjectCipher.ForgottenException.class);
            assertThat(elsewhere.open("alice", sealed.get(1))).isEqualTo(PLAIN);
        }
    }

    @Test
    void aPayloadSealedAheadWithAKeptKeyIsStoredAsItWasSealedAndOpens() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            keys.seal("alice", PLAIN);

            var prepared = keys.prepare("alice", PLAIN);
            var stored = store.write(tx -> keys.encode(prepared));

            assertThat(prepared.early()).isPresent();
            assertThat(stored.bytes()).isEqualTo(prepared.early().get().bytes());
            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            assertThat(elsewhere.decode("alice", stored.codec(), stored.bytes()))
                    .isEqualTo(PLAIN);
        }
    }

    @Test
    void aPayloadSealedAheadOfItsSubjectsForgetIsSealedAgainWithANewKeyWhenStored() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            keys.seal("alice", PLAIN);
            var prepared = keys.prepare("alice", PLAIN);

            store.write(tx -> keys.forget(tx, "alice"));
            var stored = store.write(tx -> keys.encode(prepared));

            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            assertThat(stored.codec()).isEqualTo(SubjectKeys.codecOf(2));
            assertThat(elsewhere.decode("alice", stored.codec(), stored.bytes()))
                    .isEqualTo(PLAIN);
            var early = prepared.early().orElseThrow();
            assertThatThrownBy(() -> elsewhere.decode("alice", early.codec(), early.bytes()))
                    .isInstanceOf(SubjectCipher.ForgottenException.class);
        }
    }

    @Test
    void aPayloadStoredAfterItsSubjectWasForgottenInTheSameTransactionIsNotSealedWithTheKeptKey() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            keys.seal("alice", PLAIN);
            var prepared = keys.prepare("alice", PLAIN);

            var stored = store.write(tx -> {
                keys.forget(tx, "alice");
                return java.util.List.of(keys.encode(prepared), keys.encode("alice", PLAIN));
            });

            var elsewhere = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            for (var encoded : stored) {
                assertThat(elsewhere.decode("alice", encoded.codec(), encoded.bytes()))
                        .isEqualTo(PLAIN);
            }
        }
    }

    @Test
    void aForgetThatRolledBackLeavesTheSubjectsKeyInUse() {
        try (var store = SqliteStore.open(dir.resolve("data"))) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            byte[] before = keys.seal("alice", PLAIN);

            assertThatThrownBy(() -> store.write(tx -> {
                        keys.forget(tx, "alice");
                        throw new IllegalStateException("the forget fails");
                    }))
                    .hasMessageContaining("the forget fails");
            var stored = store.write(tx -> keys.encode(keys.prepare("alice", PLAIN)));

            assertThat(keys.open("alice", before)).isEqualTo(PLAIN);
            assertThat(stored.codec()).isEqualTo(SubjectKeys.codecOf(1));
            assertThat(keys.decode("alice", stored.codec(), stored.bytes())).isEqualTo(PLAIN);
        }
    }

    @Test
    void payloadsSealedAheadOnManyThreadsWhileTheSubjectIsForgottenAgainAndAgainAreStoredWithItsLiveKeyOnly()
            throws Exception {
        try (var store = SqliteStore.open(dir.resolve("data"));
                var threads = Executors.newFixedThreadPool(4)) {
            var keys = new SubjectKeys(store, InstantSource.system(), MasterKey.of(dir.resolve("data")));
            var stale = new java.util.concurrent.atomic.AtomicInteger();
            var sealedAhead = new java.util.concurrent.atomic.AtomicInteger();
            var storing = new java.util.ArrayList<CompletableFuture<?>>();
            for (int t = 0; t < 3; t++) {
                storing.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < 300; i++) {
                                var prepared = keys.prepare("alice", PLAIN);
                                if (prepared.early().isPresent()) {
                                    sealedAhead.incrementAndGet();
                                }
                                store.write(tx -> {
                                    var encoded = keys.encode(prepared);
                                    // The key it is sealed with must be the subject's live key as this
                                    // transaction stores it: not one a forget destroyed before.
                                    long live = tx.keys()
                                            .current("alice")
                                            .orElseThrow()
                                            .generation();
                                    if (!encoded.codec().equals(SubjectKeys.codecOf(live))) {
                                        stale.incrementAndGet();
                                    }
                                    return encoded;
                                });
                            }
                        },
                        threads));
            }
            var forgetting = CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < 60; i++) {
                            store.write(tx -> keys.forget(tx, "alice"));
                            Thread.onSpinWait();
                        }
                    },
                    threads);
            CompletableFuture.allOf(storing.toArray(CompletableFuture[]::new)).get();
            forgetting.get();

            assertThat(stale).hasValue(0);
            assertThat(sealedAhead.get()).isPositive();
        }
    }
}
