package dev.aios.kernel.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Event;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.internal.Json;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The engine on PostgreSQL, alone and as one of several nodes sharing the database. */
class PostgresKernelContractTest extends KernelOnStoreContract {
    @Override
    protected Optional<String> newDatabase() {
        return Optional.of(TestPostgres.newDatabase());
    }

    @Test
    void twoKernelsOnOneDatabaseShareTheEventsAndRunEachStepOnce() throws Exception {
        Files.writeString(dir.resolve("playbooks/counting.yaml"), COUNTING);
        kernel.reloadPlaybooks();
        int events = 120;
        // The second node shares the database and, as nodes must, the master key (here: the data directory).
        Kernel second = open();
        try {
            for (int i = 0; i < events; i++) {
                var node = i % 2 == 0 ? kernel : second;
                node.send(new Event(
                        "ping-" + i, "ping", "two-nodes-" + i, "test", clock.instant(), Json.object(), "", ""));
            }
            var query = RunQuery.all().withPlaybook("counting").withLimit(500);
            long deadline = System.nanoTime() + java.time.Duration.ofMinutes(2).toNanos();
            while (!(second.runs(query).size() == events
                    && second.runs(query).stream().allMatch(r -> r.status() == RunStatus.COMPLETED))) {
                assertThat(System.nanoTime())
                        .as("all runs completed within 2 minutes")
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
            for (int i = 0; i < events; i++) {
                assertThat(Counter.CALLS.get("two-nodes-" + i))
                        .as("calls of the step of run " + i)
                        .hasValue(1);
            }
            assertThat(kernel.runs(query)).hasSize(events);
            assertThat(kernel.nodes()).as("both nodes say they are alive").hasSize(2);
            assertThat(second.verify().problems()).isEmpty();
        } finally {
            second.close();
        }
    }

    @Test
    void aSubjectForgottenThroughOneNodeAndSeenAgainThroughTheOtherIsReadableThroughBoth() throws Exception {
        Files.writeString(dir.resolve("playbooks/counting.yaml"), COUNTING);
        kernel.reloadPlaybooks();
        Kernel second = open();
        try {
            // The first node keeps the subject's key in memory from the run it starts.
            String before = ping(kernel, "ping-before");
            assertThat(payloads(kernel, before)).noneMatch(Json.object().put("forgotten", true)::equals);

            second.forget("beta");
            // Right away, through the node that kept the key: a new run about the subject.
            String after = ping(kernel, "ping-after");

            for (var node : java.util.List.of(kernel, second)) {
                assertThat(payloads(node, after))
                        .as("the new run's journal, read through either node")
                        .isNotEmpty()
                        .noneMatch(Json.object().put("forgotten", true)::equals);
                assertThat(payloads(node, before))
                        .as("the forgotten run's journal, read through either node")
                        .allMatch(Json.object().put("forgotten", true)::equals);
            }
            assertThat(second.verify().problems()).isEmpty();
        } finally {
            second.close();
        }
    }

    /** Sends a ping about subject beta through {@code node} and waits for its run to complete. */
    private String ping(Kernel node, String id) {
        String runId = node.send(new Event(id, "ping", "beta", "test", clock.instant(), Json.object(), "", ""))
                .started()
                .getFirst();
        dev.aios.kernel.Eventually.await(
                () -> node.run(runId), r -> r.status() == RunStatus.COMPLETED, java.time.Duration.ofMinutes(1));
        return runId;
    }

    private static java.util.List<com.fasterxml.jackson.databind.JsonNode> payloads(Kernel node, String runId) {
        return node.journal(runId).stream()
                .map(dev.aios.kernel.JournalRecord::data)
                .toList();
    }
}
