package dev.aios.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests that once made the server answer 500 or hang get a clear 4xx or 503 and change nothing. */
class HostileRequestsTest {
    @TempDir
    Path dataDirectory;

    TestAios aios;

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    static String nested(int levels) {
        return "{\"n\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    @Test
    void anEventTimeOutOfRangeIsA400ThatNamesTheLimit() {
        aios = TestAios.start(dataDirectory);

        var answer = aios.post(
                "/api/events",
                "{\"type\":\"test.ping\",\"time\":\"+999999999-12-31T23:59:59Z\",\"data\":{\"text\":\"x\"}}");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().path("detail").asText())
                .contains("out of range")
                .contains("9999-12-31T23:59:59.999Z");
        assertThat(aios.get("/api/runs").json()).isEmpty();
    }

    @Test
    void dataNestedPastTheLimitIsA400AndDataAtTheLimitKeepsItsJournalReadable() {
        aios = TestAios.start(dataDirectory);

        for (int levels : new int[] {999, 998, 997, 65}) {
            var answer = aios.post("/api/events", "{\"type\":\"test.ping\",\"data\":" + nested(levels) + "}");
            assertThat(answer.status()).as("data nested %d levels", levels).isEqualTo(400);
            assertThat(answer.json().path("detail").asText()).containsPattern("more than 6[46] levels deep");
        }
        assertThat(aios.get("/api/runs").json()).isEmpty();

        var answer = aios.post("/api/events", "{\"type\":\"test.ping\",\"data\":" + nested(64) + "}");
        assertThat(answer.status()).isEqualTo(202);
        var runId = answer.json().path("started").get(0).asText();
        assertThat(aios.get("/api/runs/" + runId + "/journal").status()).isEqualTo(200);
    }

    /** Holds the writer inside one write until released, as a database stuck on a slow disk would. */
    static final class Brake implements Extension {
        final CountDownLatch release = new CountDownLatch(1);
        ExtensionHost host;

        @Override
        public void attach(ExtensionHost host) {
            this.host = host;
        }

        CompletableFuture<Void> hold() {
            return CompletableFuture.runAsync(() -> host.storage().write(connection -> {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }));
        }
    }

    @Test
    void aWriteThatCannotBeRecordedInTimeIsA503AndIsNotRecordedLater() throws Exception {
        var brake = new Brake();
        aios = TestAios.start(dataDirectory, builder -> builder.extension(brake), Duration.ofMillis(500));
        var held = brake.hold();
        Thread.sleep(100);

        var answer = aios.post("/api/events", "{\"id\":\"e-late\",\"type\":\"test.ping\",\"data\":{\"text\":\"x\"}}");

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.json().path("detail").asText()).contains("nothing of it was recorded");
        brake.release.countDown();
        held.get(30, TimeUnit.SECONDS);
        var again = aios.post("/api/events", "{\"id\":\"e-late\",\"type\":\"test.ping\",\"data\":{\"text\":\"x\"}}");
        assertThat(again.status())
                .as("the first attempt was not recorded, so this is no duplicate")
                .isEqualTo(202);
    }
}
