package dev.aios.kernel.internal.engine;

import dev.aios.kernel.ConnectorPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One circuit breaker and optional rate limiter per connector, from Resilience4j. A call that may
 * not go out now raises a {@link Deferral} rather than failing, so the step waits without using up
 * an attempt.
 */
final class Connectors {
    /** Waiting this long for a rate-limit permit happens in place; longer waits defer the step. */
    private static final Duration WAIT_IN_PLACE = Duration.ofSeconds(2);

    private final Map<String, ConnectorPolicy> policies;
    private final InstantSource clock;
    private final KernelMeters meters;
    private final KernelTraces traces;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, Optional<RateLimiter>> limiters = new ConcurrentHashMap<>();

    Connectors(Map<String, ConnectorPolicy> policies, InstantSource clock, KernelMeters meters, KernelTraces traces) {
        this.policies = Map.copyOf(policies);
        this.clock = clock;
        this.meters = meters;
        this.traces = traces;
    }

    /** The connector of an effect name: {@code payments} for {@code payments:charge}. */
    static String connectorOf(String effect) {
        int colon = effect.indexOf(':');
        return colon < 0 ? effect : effect.substring(0, colon);
    }

    /**
     * The connector family of a connector: {@code http} for {@code http/api.example.com}, whose
     * instances each get their own breaker and rate limit, configured by instance or else by family.
     */
    static String familyOf(String connector) {
        int slash = connector.indexOf('/');
        return slash < 0 ? connector : connector.substring(0, slash);
    }

    /** A permit to call {@code connector} now, or a {@link Deferral} saying until when to wait. */
    Permit acquire(String connector) throws InterruptedException {
        var breaker = breaker(connector);
        if (!breaker.tryAcquirePermission()) {
            var policy = policy(connector);
            throw new Deferral(
                    "breaker",
                    "the circuit breaker of '" + connector + "' is open after repeated failures ("
                            + Math.round(breaker.getMetrics().getFailureRate()) + "% of recent calls failed);"
                            + " the step waits without using an attempt and tries again at "
                            + clock.instant().plus(policy.openFor()),
                    clock.instant().plus(policy.openFor()));
        }
        var limiter = limiter(connector);
        if (limiter.isPresent()) {
            long waitNanos = limiter.get().reservePermission();
            if (waitNanos < 0) {
                breaker.releasePermission();
                var per = policy(connector).rateLimit().orElseThrow().per();
                throw new Deferral(
                        "rate-limit",
                        "the rate limit of '" + connector + "' is reached; the step waits without using an attempt",
                        clock.instant().plus(per));
            }
            if (waitNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            }
        }
        return new Permit(breaker, meters, traces.connectorCall(connector), System.nanoTime());
    }

    /** The breaker of every connector called so far, by name. */
    java.util.List<dev.aios.kernel.KernelHealth.Breaker> breakers() {
        return breakers.values().stream()
                .map(b -> new dev.aios.kernel.KernelHealth.Breaker(
                        b.getName(),
                        b.getState().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                        b.getMetrics().getFailureRate(),
                        b.getMetrics().getNumberOfBufferedCalls()))
                .sorted(java.util.Comparator.comparing(dev.aios.kernel.KernelHealth.Breaker::connector))
                .toList();
    }

    private ConnectorPolicy policy(String connector) {
        var own = policies.get(connector);
        if (own != null) {
            return own;
        }
        return policies.getOrDefault(familyOf(connector), policies.getOrDefault("*", ConnectorPolicy.DEFAULT));
    }

    private CircuitBreaker breaker(String connector) {
        return breakers.computeIfAbsent(connector, name -> {
            var policy = policy(name);
            var breaker = CircuitBreaker.of(
                    name,
                    CircuitBreakerConfig.custom()
                            .failureRateThreshold(policy.failureRatePercent())
                            .slidingWindowSize(policy.window())
                            .minimumNumberOfCalls(policy.minimumCalls())
                            .waitDurationInOpenState(policy.openFor())
                            .automaticTransitionFromOpenToHalfOpenEnabled(false)
                            .permittedNumberOfCallsInHalfOpenState(1)
                            .build());
            meters.breaker(breaker);
            return breaker;
        });
    }

    private Optional<RateLimiter> limiter(String connector) {
        return limiters.computeIfAbsent(connector, name -> policy(name)
                .rateLimit()
                .map(limit -> RateLimiter.of(
                        name,
                        RateLimiterConfig.custom()
                                .limitForPeriod(limit.calls())
                                .limitRefreshPeriod(limit.per())
                                .timeoutDuration(WAIT_IN_PLACE)
                                .build())));
    }

    /** Leave to make one call; report how it went. */
    static final class Permit {
        private final CircuitBreaker breaker;
        private final KernelMeters meters;
        private final io.opentelemetry.api.trace.Span span;
        private final long started;

        private Permit(
                CircuitBreaker breaker, KernelMeters meters, io.opentelemetry.api.trace.Span span, long started) {
            this.breaker = breaker;
            this.meters = meters;
            this.span = span;
            this.started = started;
        }

        /** Makes the call's span current, so that what the call itself traces (HTTP) lands under it. */
        io.opentelemetry.context.Scope enter() {
            return span.makeCurrent();
        }

        void succeeded() {
            long nanos = System.nanoTime() - started;
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
            meters.connectorCall(breaker.getName(), true, nanos);
            span.end();
        }

        void failed(Throwable error) {
            long nanos = System.nanoTime() - started;
            breaker.onError(nanos, TimeUnit.NANOSECONDS, error);
            meters.connectorCall(breaker.getName(), false, nanos);
            span.recordException(error);
            span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, String.valueOf(error.getMessage()));
            span.end();
        }
    }
}
