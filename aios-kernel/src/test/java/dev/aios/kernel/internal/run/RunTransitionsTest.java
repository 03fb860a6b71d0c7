package dev.aios.kernel.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.kernel.RunStatus;
import java.util.EnumSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RunTransitionsTest {

    @ParameterizedTest
    @EnumSource(RunStatus.class)
    void finalStatusesAreNeverLeftAndOthersMayStay(RunStatus from) {
        for (var to : RunStatus.values()) {
            boolean allowed = RunTransitions.allowed(from, to);
            if (from.isFinal()) {
                // but a completed child run is undone when the run that called it is
                boolean undoneByItsCaller = from == RunStatus.COMPLETED && to == RunStatus.COMPENSATING;
                assertThat(allowed).as("%s -> %s", from, to).isEqualTo(undoneByItsCaller);
            }
        }
        if (!from.isFinal()) {
            assertThat(RunTransitions.allowed(from, from)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(RunStatus.class)
    void everyStatusIsReachableFromRunningOrItsPredecessor(RunStatus to) {
        var reachable = EnumSet.noneOf(RunStatus.class);
        var frontier = EnumSet.of(RunStatus.RUNNING);
        while (!frontier.isEmpty()) {
            var next = EnumSet.noneOf(RunStatus.class);
            for (var s : frontier) {
                if (reachable.add(s)) {
                    next.addAll(RunTransitions.from(s));
                }
            }
            next.removeAll(reachable);
            frontier = next;
        }
        assertThat(reachable).contains(to);
    }

    @ParameterizedTest
    @EnumSource(RunStatus.class)
    void aRunThatEndedCannotBeRestarted(RunStatus status) {
        if (status.isFinal()) {
            assertThatThrownBy(() -> RunTransitions.check("r-1", status, RunStatus.RUNNING, "StepScheduled"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot go from " + status.wire() + " to running");
        }
    }
}
