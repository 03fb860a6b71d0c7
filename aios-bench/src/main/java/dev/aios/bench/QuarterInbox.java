package dev.aios.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.bench.Quarter.Injected;
import dev.aios.bench.Quarter.Month;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunView;
import dev.aios.policy.PolicyExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The operator's policy inbox in the quarter: every autonomy suggestion is accepted (a minute, in
 * the month it is answered) and every alert acknowledged; an alert raised after an injected anomaly
 * began, and of its kind, is that anomaly's.
 */
final class QuarterInbox {
    private QuarterInbox() {}

    static void answer(
            Kernel kernel,
            PolicyExtension policy,
            Quarter.SimClock clock,
            List<Month> months,
            List<Injected> injected,
            List<String> otherAlerts,
            Set<String> seen) {
        var month = months.get(Quarter.monthOf(clock.instant()));
        for (var s : policy.suggestions()) {
            if (s.path("status").asText().equals("proposed") && s.has("run")) {
                var task = await(() -> kernel.run(s.path("run").asText()), (RunView r) -> !r.tasks()
                                .isEmpty())
                        .tasks()
                        .getFirst();
                clock.advance(Duration.ofMinutes(1));
                month.operatorMinutes += 1;
                kernel.approve(task.id(), Optional.empty(), "");
                month.suggestionsAccepted++;
                month.accepted.add(s.path("text").asText(s.path("summary").asText("")));
                await(
                        () -> {
                            policy.settle();
                            return policy.suggestions();
                        },
                        all -> {
                            for (var one : all) {
                                if (one.path("id").equals(s.path("id"))) {
                                    return !one.path("status").asText().equals("proposed");
                                }
                            }
                            return true;
                        });
            }
        }
        for (var alert : policy.alerts(false)) {
            var id = alert.path("id").asText();
            if (!seen.add(id)) {
                continue;
            }
            var at = Instant.parse(alert.path("at").asText());
            boolean matched = false;
            for (var i : injected) {
                boolean during =
                        i.at()[0] != null && !at.isBefore(i.at()[0]) && (i.at()[1] == null || !at.isAfter(i.at()[1]));
                if (during && i.alert().test(alert)) {
                    if (i.alerted()[0].isEmpty()) {
                        i.alerted()[0] = Optional.of(at);
                    }
                    i.texts().add(alert.path("text").asText());
                    matched = true;
                    break;
                }
            }
            if (!matched && !alert.path("metric").asText().equals("revoked")) {
                otherAlerts.add(alert.path("text").asText());
            }
            if (alert.has("run")) {
                var task = await(() -> kernel.run(alert.path("run").asText()), (RunView r) -> !r.tasks()
                                .isEmpty())
                        .tasks()
                        .getFirst();
                kernel.approve(task.id(), Optional.empty(), "seen");
            }
        }
    }

    private static <T> T await(Supplier<T> probe, Predicate<T> done) {
        for (int i = 0; i < 5_000; i++) {
            var value = probe.get();
            if (done.test(value)) {
                return value;
            }
            LockSupport.parkNanos(2_000_000);
        }
        throw new IllegalStateException("the simulation waited in vain");
    }

    static boolean of(JsonNode alert, String metric) {
        return alert.path("metric").asText().equals(metric);
    }
}
