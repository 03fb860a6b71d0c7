package dev.aios.kernel.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.Event;
import dev.aios.kernel.Eventually;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.store.EventStore.StoredEvent;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.TestPostgres;
import dev.aios.kernel.internal.store.postgres.PostgresStore;
import dev.aios.kernel.spi.SubjectCipher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one PostgreSQL database, each keeping subjects' keys in memory: a subject forgotten
 * through one node is forgotten on the other too, whose kept key neither opens the subject's
 * payloads any more nor seals new ones.
 */
class SubjectKeysOnSharedStoreTest {
    private static final byte[] PLAIN = "{\"iban\":\"DE89370400440532013000\"}".getBytes(StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private Store storeA;
    private Store storeB;
    private SubjectKeys keysA;
    private SubjectKeys keysB;

    @BeforeEach
    void open() {
        String url = TestPostgres.newDatabase();
        storeA = PostgresStore.open(url);
        storeB = PostgresStore.open(url);
        // The nodes of one installation share the master key.
        var master = MasterKey.of(dir);
        keysA = new SubjectKeys(storeA, InstantSource.system(), master);
        keysB = new SubjectKeys(storeB, InstantSource.system(), master);
    }

    @AfterEach
    void close() {
        storeA.close();
        storeB.close();
    }

    @Test
    void aSubjectForgottenThroughOneNodeNoLongerOpensThroughTheOtherWithinMoments() {
        byte[] sealed = keysA.seal("acme", PLAIN);
        var encoded = keysA.encode("acme", PLAIN);
        assertThat(keysA.open("acme", sealed)).isEqualTo(PLAIN);
        assertThat(keysB.open("acme", sealed)).isEqualTo(PLAIN);

        storeB.write(tx -> keysB.forget(tx, "acme"));

        // Heard of within moments (a notification), not at some later write of the other node.
        Eventually.await(() -> opens(() -> keysA.open("acme", sealed)), opens -> !opens, Duration.ofSeconds(5));
        assertThatThrownBy(() -> keysA.decode("acme", encoded.codec(), encoded.bytes()))
                .isInstanceOf(SubjectCipher.ForgottenException.class);
        assertThatThrownBy(() -> keysB.open("acme", sealed)).isInstanceOf(SubjectCipher.ForgottenException.class);
    }

    @Test
    void aPayloadSealedRightAfterAnotherNodeForgotTheSubjectGetsANewKeyThatBothNodesOpen() {
        byte[] before = keysA.seal("acme", PLAIN);

        storeB.write(tx -> keysB.forget(tx, "acme"));
        // At once, in the writer (as events and journal entries are sealed): no waiting to hear of it.
        var sealedAfter = storeA.write(tx -> keysA.encode("acme", PLAIN));

        assertThat(sealedAfter.codec()).isEqualTo(SubjectKeys.codecOf(2));
        assertThat(keysB.decode("acme", sealedAfter.codec(), sealedAfter.bytes()))
                .isEqualTo(PLAIN);
        assertThat(keysA.decode("acme", sealedAfter.codec(), sealedAfter.bytes()))
                .isEqualTo(PLAIN);
        assertThatThrownBy(() -> keysB.open("acme", before)).isInstanceOf(SubjectCipher.ForgottenException.class);
    }

    @Test
    void whileOneNodeLogsEventsAboutASubjectTheOtherForgetsItAndNoEventIsLeftSealedWithADestroyedKey()
            throws Exception {
        var written = new AtomicInteger();
        var forgotten = new AtomicBoolean();
        var writing = CompletableFuture.runAsync(() -> {
            // Until 50 events after the forget committed (and so many more while it was under way).
            for (int i = 0, after = 0; after < 50; i++) {
                String id = "e-" + i;
                boolean since = forgotten.get();
                storeA.write(tx -> {
                    var encoded = keysA.encode("acme", PLAIN);
                    return tx.events().append(event(id), encoded.codec(), encoded.bytes(), T0);
                });
                written.incrementAndGet();
                after += since ? 1 : 0;
            }
        });
        Eventually.await(written::get, count -> count >= 50, Duration.ofMinutes(1));
        storeB.write(tx -> {
            keysB.forget(tx, "acme");
            return tx.events().pseudonymize("acme", keysB.pseudonym("acme"), keysB.pseudonyms()::eventId);
        });
        forgotten.set(true);
        writing.get(2, java.util.concurrent.TimeUnit.MINUTES);

        List<StoredEvent> events = storeB.read(tx -> tx.events().after(0, 100_000));
        assertThat(events).hasSize(written.get());
        var filed = events.stream()
                .filter(e -> e.subject().equals(keysB.pseudonym("acme")))
                .toList();
        var named = events.stream().filter(e -> e.subject().equals("acme")).toList();
        assertThat(filed).as("events logged before the forget").isNotEmpty();
        assertThat(named).as("events logged after the forget").isNotEmpty();
        assertThat(filed.size() + named.size()).isEqualTo(events.size());
        for (var event : filed) {
            for (var keys : List.of(keysA, keysB)) {
                assertThatThrownBy(() -> keys.decode(event.subject(), event.codec(), event.data()))
                        .isInstanceOf(SubjectCipher.ForgottenException.class);
            }
        }
        for (var event : named) {
            assertThat(event.codec()).as(event.id()).isEqualTo(SubjectKeys.codecOf(2));
            assertThat(keysB.decode("acme", event.codec(), event.data())).isEqualTo(PLAIN);
            assertThat(keysA.decode("acme", event.codec(), event.data())).isEqualTo(PLAIN);
        }
    }

    private static Event event(String id) {
        return new Event(id, "ping", "acme", "test", T0, Json.object().put("id", id), "", "");
    }

    /** Whether {@code opening} opens the payload, rather than finding its subject forgotten. */
    private static boolean opens(Runnable opening) {
        try {
            opening.run();
            return true;
        } catch (SubjectCipher.ForgottenException e) {
            return false;
        }
    }
}
