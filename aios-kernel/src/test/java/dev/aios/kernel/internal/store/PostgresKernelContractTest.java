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
}
