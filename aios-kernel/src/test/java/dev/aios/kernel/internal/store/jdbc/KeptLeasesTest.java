package dev.aios.kernel.internal.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.kernel.internal.store.WorkKey;
import org.junit.jupiter.api.Test;

class KeptLeasesTest {
    private final KeptLeases leases = new KeptLeases();

    @Test
    void aRunsEndForgetsItsLeasesAndNoOtherRuns() {
        leases.held(new WorkKey("a", "s1", 0), "node/1");
        leases.held(new WorkKey("a", "s2", 0), "node/2");
        leases.held(new WorkKey("b", "s1", 0), "node/3");

        leases.ofRunChanged("a");

        assertThat(leases.owner(new WorkKey("a", "s1", 0))).isNull();
        assertThat(leases.owner(new WorkKey("a", "s2", 0))).isNull();
        assertThat(leases.owner(new WorkKey("b", "s1", 0))).isEqualTo("node/3");
    }

    @Test
    void aChangedLeaseIsForgottenAloneAndNullForgetsEverything() {
        leases.held(new WorkKey("a", "s1", 0), "node/1");
        leases.held(new WorkKey("a", "s1", 1), "node/2");
        leases.held(new WorkKey("b", "s1", 0), "node/3");

        leases.changed(new WorkKey("a", "s1", 0));

        assertThat(leases.owner(new WorkKey("a", "s1", 0))).isNull();
        assertThat(leases.owner(new WorkKey("a", "s1", 1))).isEqualTo("node/2");
        leases.changed(new WorkKey("a", "s1", 1));
        assertThat(leases.runs()).as("a run with no lease left is not kept").isEqualTo(1);

        leases.changed(null);
        assertThat(leases.owner(new WorkKey("b", "s1", 0))).isNull();
        assertThat(leases.runs()).isZero();
    }

    @Test
    void theRunsUsedLeastRecentlyAreForgottenBeyondTheBound() {
        for (int i = 0; i < KeptLeases.MAX_RUNS; i++) {
            leases.held(new WorkKey("run-" + i, "s", 0), "node/" + i);
        }
        assertThat(leases.owner(new WorkKey("run-0", "s", 0))).isEqualTo("node/0");

        leases.held(new WorkKey("run-new", "s", 0), "node/new");

        assertThat(leases.runs()).isEqualTo(KeptLeases.MAX_RUNS);
        assertThat(leases.owner(new WorkKey("run-0", "s", 0)))
                .as("asked for last, so kept")
                .isEqualTo("node/0");
        assertThat(leases.owner(new WorkKey("run-1", "s", 0)))
                .as("used least recently")
                .isNull();
        assertThat(leases.owner(new WorkKey("run-new", "s", 0))).isEqualTo("node/new");
    }
}
