package dev.aios.policy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.aios.api.PlaybookRef;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.TestClock;
import dev.aios.kernel.internal.store.TestPostgres;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.StepFacts;
import dev.aios.policy.PolicyExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits hold however many nodes admit steps against them: steps admitted at once on two nodes
 * sharing a PostgreSQL database never pass a limit together, and what a dead node admitted leaves
 * the window like any other step. On SQLite (one node) the same contract holds.
 */
class LimiterTest {
    static final CompiledPolicy POLICY;

    static {
        try {
            POLICY = PolicyReader.read(
                    new YAMLMapper()
                            .readTree("limits: [{agent: draft-quote, calls: 7, per: 1h}, {subject: acme, calls: 3,"
                                    + " per: 1h}]"),
                    new PolicyCel());
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    final List<Kernel> kernels = new ArrayList<>();

    @AfterEach
    void stop() {
        kernels.forEach(Kernel::close);
    }

    @Test
    void twoNodesAdmittingStepsAtOnceNeverPassARateLimitTogether() throws Exception {
        String url = TestPostgres.newDatabase();

        var admitted = race(List.of(node(url, "a"), node(url, "b")), 6, 4);

        assertThat(admitted.total())
                .as("steps of draft-quote admitted against 7 an hour")
                .isEqualTo(7);
        assertThat(admitted.acme())
                .as("steps about acme admitted against 3 an hour")
                .isEqualTo(3);
    }

    @Test
    void whatADeadNodeAdmittedLeavesTheWindowAndFreesTheLimit() throws Exception {
        String url = TestPostgres.newDatabase();
        var a = node(url, "a");
        var b = node(url, "b");
        var start = clock.instant();
        for (int i = 0; i < 7; i++) {
            assertThat(a.limiter().admit(POLICY, step("run-a" + i, "globex"), clock.instant()))
                    .isEmpty();
            clock.advance(Duration.ofMinutes(1));
        }
        a.kernel().close();
        kernels.remove(a.kernel());

        var deferred = b.limiter().admit(POLICY, step("run-b", "globex"), clock.instant());
        assertThat(deferred).isPresent();
        assertThat(deferred.get().limit()).isEqualTo("agent draft-quote: at most 7 calls per 1h");
        assertThat(deferred.get().until()).isEqualTo(start.plus(Duration.ofHours(1)));

        clock.advance(Duration.ofHours(1).minusMinutes(7));
        assertThat(b.limiter().admit(POLICY, step("run-b", "globex"), clock.instant()))
                .as("the first step left the window")
                .isEmpty();
        assertThat(b.limiter().admit(POLICY, step("run-b2", "globex"), clock.instant()))
                .as("the second is still in it")
                .isPresent();
    }

    @Test
    void onSqliteStepsAdmittedAtOnceNeverPassTheLimitEither() throws Exception {
        var admitted = race(List.of(node(null, "a")), 12, 4);

        assertThat(admitted.total()).isEqualTo(7);
        assertThat(admitted.acme()).isEqualTo(3);
    }

    record Admitted(int total, int acme) {}

    /** {@code threads} threads per node each try {@code tries} steps, every other one about acme. */
    private Admitted race(List<Node> nodes, int threads, int tries) throws Exception {
        var total = new AtomicInteger();
        var acme = new AtomicInteger();
        var jobs = new ArrayList<Callable<Void>>();
        for (var node : nodes) {
            for (int t = 0; t < threads; t++) {
                String thread = node.name() + t;
                jobs.add(() -> {
                    for (int i = 0; i < tries; i++) {
                        String subject = i % 2 == 0 ? "acme" : "globex";
                        var deferred =
                                node.limiter().admit(POLICY, step("run-" + thread + "-" + i, subject), clock.instant());
                        if (deferred.isEmpty()) {
                            total.incrementAndGet();
                            if (subject.equals("acme")) {
                                acme.incrementAndGet();
                            }
                        }
                    }
                    return null;
                });
            }
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var done : pool.invokeAll(jobs)) {
                done.get();
            }
        }
        return new Admitted(total.get(), acme.get());
    }

    private static StepFacts step(String run, String subject) {
        return new StepFacts(
                run,
                new PlaybookRef("quoting", "v1"),
                "draft",
                0,
                subject,
                "draft-quote",
                JsonNodeFactory.instance.objectNode());
    }

    record Node(String name, Kernel kernel, Limiter limiter) {}

    /** A kernel with the policy's tables, on PostgreSQL at {@code url} or (null) on SQLite. */
    private Node node(String url, String name) throws IOException {
        var data = dir.resolve(name);
        Files.createDirectories(data);
        var first = dir.resolve("a").resolve("master.key");
        if (!name.equals("a") && Files.exists(first)) {
            // Every node of one database has the same master key.
            Files.copy(first, data.resolve("master.key"));
        }
        var host = new ExtensionHost[1];
        Extension capture = h -> {
            h.storage().migrate(PolicyExtension.MODULE, PolicyExtension.MIGRATIONS);
            host[0] = h;
        };
        var builder = Kernel.builder().dataDirectory(data).clock(clock).extension(capture);
        if (url != null) {
            builder.database(url);
        }
        var kernel = builder.build();
        kernels.add(kernel);
        return new Node(name, kernel, Limiter.on(host[0].storage()));
    }
}
