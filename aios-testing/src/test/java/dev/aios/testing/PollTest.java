package dev.aios.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PollTest {
    @Test
    void returnsTheFirstValueThatSatisfiesTheCondition() {
        var calls = new AtomicInteger();

        int value = Poll.until("the counter to reach 3", calls::incrementAndGet, n -> n >= 3, Duration.ofSeconds(5));

        assertThat(value).isEqualTo(3);
        assertThat(calls).hasValue(3);
    }

    @Test
    void aTimeoutNamesWhatWasAwaitedAndTheLastValueSeen() {
        long start = System.nanoTime();

        var error = catchThrowableOfType(
                AssertionError.class,
                () -> Poll.until("the answer to be 42", () -> 41, n -> n == 42, Duration.ofMillis(150)));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(error).hasMessageContaining("the answer to be 42").hasMessageContaining("last value: 41");
    }

    @Test
    void aSupplierThatThrowsCountsAsNotYet() {
        var calls = new AtomicInteger();

        var value = Poll.until(
                "the server to come back",
                () -> {
                    if (calls.incrementAndGet() < 3) {
                        throw new IllegalStateException("connection refused");
                    }
                    return "up";
                },
                "up"::equals,
                Duration.ofSeconds(5));

        assertThat(value).isEqualTo("up");
    }

    @Test
    void aTimeoutAfterFailuresCarriesTheLastFailureAndTheDiagnostics() {
        var error = catchThrowableOfType(
                AssertionError.class,
                () -> Poll.until(
                        "the server to answer",
                        () -> {
                            throw new IllegalStateException("connection refused");
                        },
                        value -> true,
                        Duration.ofMillis(50),
                        () -> "server log: port in use"));

        assertThat(error)
                .hasMessageContaining("the server to answer")
                .hasMessageContaining("last attempt failed")
                .hasMessageContaining("connection refused")
                .hasMessageContaining("server log: port in use")
                .hasCauseInstanceOf(IllegalStateException.class);
    }
}
