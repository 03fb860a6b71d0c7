package dev.aios.policy.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.aios.api.ApprovalStep;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.Trigger;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.Handle;
import dev.aios.kernel.spi.Storage;
import dev.aios.policy.spi.Notification;
import dev.aios.policy.spi.Notifier;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anomaly alerts: rolling baselines of what the kernel records, per playbook step (model spend per
 * call, failure rate, tasks opened), per playbook (runs started, run latency) and per event source
 * (events), and an alert when the last window deviates beyond the policy's factor, or a step fails
 * more often than the policy's rate. An alert is an inbox task (acknowledge: approve, dismiss:
 * reject) and, when the policy names a channel, a notification; a scope and metric alert again
 * only once their alert is answered and a day has passed since it, so one anomaly is one alert.
 */
public final class Anomalies {
    private static final Logger LOG = LoggerFactory.getLogger(Anomalies.class);
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    /** The playbook whose runs carry alerts and notices in the inbox, and the event that starts them. */
    public static final String PLAYBOOK = "aios-policy-alert";

    public static final String EVENT = "aios.policy.alert";
    static final String SOURCE = "aios-policy";

    /** After an alert, the same scope and metric alert again only once this has passed. */
    static final Duration QUIET = Duration.ofDays(1);

    /** An alert as stored. */
    public record Alert(
            String id,
            Instant at,
            String scope,
            String metric,
            double value,
            double baseline,
            String text,
            Optional<String> runId,
            String status,
            String notified) {}

    private final Storage storage;
    private final PolicyState state;
    private final ExtensionHost host;
    private final Notifier notifier;
    private final Set<String> touched = new LinkedHashSet<>();
    private volatile Instant latest = Instant.EPOCH;
    private Instant nextPrune = Instant.EPOCH;

    public Anomalies(Storage storage, PolicyState state, ExtensionHost host, Notifier notifier) {
        this.storage = storage;
        this.state = state;
        this.host = host;
        this.notifier = notifier;
    }

    /** The playbook: one approval step showing the alert. */
    public static Playbook playbook() {
        return Playbook.builder(PLAYBOOK)
                .trigger(new Trigger(EVENT, Optional.empty()))
                .step(new ApprovalStep(
                        "acknowledge",
                        "Policy alert: acknowledge it (approve) or dismiss it (reject)",
                        Optional.empty(),
                        Map.of("alert", "event.data.id", "text", "event.data.text", "detail", "event.data.detail"),
                        Optional.empty(),
                        Optional.empty()))
                .build();
    }

    /** Records what {@code item} says for the baselines; called in the observer's transaction. */
    public void observe(Handle c, FeedItem item) throws SQLException {
        latest = item.at().isAfter(latest) ? item.at() : latest;
        var p = item.payload();
        if (item.source().equals("event")) {
            var source = p.path("source").asText("");
            if (!source.equals(SOURCE)) {
                add(c, item.at(), "source:" + source, "event", 1);
            }
            return;
        }
        switch (item.type()) {
            case "RunStarted" -> {
                var playbook = p.path("playbook").asText("").replaceFirst("@.*$", "");
                SeenRuns.started(c, item.runId(), playbook, item.at());
                add(c, item.at(), playbook, "run", 1);
            }
            case "StepNoted" -> {
                var cost = BigDecimal.ZERO;
                boolean called = false;
                for (var note : p.path("notes")) {
                    if (note.path("kind").asText().equals("model")) {
                        called = true;
                        cost = cost.add(new BigDecimal(
                                note.path("detail").path("costUsd").asText("0")));
                    }
                }
                var scope = stepScope(c, item);
                if (called && scope.isPresent()) {
                    add(c, item.at(), scope.get(), "spend", cost.doubleValue());
                }
            }
            case "StepCompleted" -> {
                var scope = stepScope(c, item);
                if (scope.isPresent() && p.path("agent").isTextual()) {
                    add(c, item.at(), scope.get(), "failure", 0);
                }
            }
            case "StepFailed" -> {
                var scope = stepScope(c, item);
                if (scope.isPresent()) {
                    add(c, item.at(), scope.get(), "failure", 1);
                }
            }
            case "TaskOpened" -> {
                var scope = stepScope(c, item);
                if (scope.isPresent()) {
                    add(c, item.at(), scope.get(), "task", 1);
                }
            }
            case "RunCompleted" -> {
                var run = SeenRuns.get(c, item.runId()).filter(Anomalies::observed);
                if (run.isPresent()) {
                    add(
                            c,
                            item.at(),
                            run.get().playbook(),
                            "latency",
                            Duration.between(run.get().at(), item.at()).toMillis() / 1000.0);
                }
                SeenRuns.ended(c, item.runId());
            }
            case "RunFailed", "RunCancelled", "RunCompensated" -> SeenRuns.ended(c, item.runId());
            default -> {}
        }
    }

    private static Optional<String> stepScope(Handle c, FeedItem item) throws SQLException {
        return SeenRuns.get(c, item.runId())
                .filter(Anomalies::observed)
                .map(r -> r.playbook() + "/" + item.payload().path("step").asText());
    }

    /** The policy's own runs (alerts, suggestions) are not judged. */
    private static boolean observed(SeenRuns.Run run) {
        return !run.playbook().startsWith(PLAYBOOK.substring(0, "aios-policy".length()));
    }

    private void add(Handle c, Instant at, String scope, String metric, double value) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO policy_observations (at, scope, metric, value) VALUES (?, ?, ?, ?)",
                at,
                scope,
                metric,
                value);
        touched.add(scope + "\n" + metric);
    }

    /** Judges what was observed since the last check against its baseline; opens the alerts it finds. */
    public void check() {
        if (!latest.isBefore(nextPrune)) {
            SeenRuns.prune(storage, latest.minus(SeenRuns.MEMORY));
            Retention.prune(
                    storage, latest.minus(state.current().policy().learning().keep()));
            nextPrune = latest.plus(Duration.ofDays(1));
        }
        var rules = state.current().policy().alerts();
        var keys = new ArrayList<>(touched);
        touched.clear();
        if (!rules.enabled() || keys.isEmpty()) {
            return;
        }
        var now = latest;
        for (var key : keys) {
            var parts = key.split("\n", 2);
            try {
                judge(rules, parts[0], parts[1], now).ifPresent(found -> raise(parts[0], parts[1], found, rules));
            } catch (RuntimeException e) {
                LOG.warn("the {} of {} could not be judged: {}", parts[1], parts[0], e.getMessage());
            }
        }
    }

    private record Found(double value, double baseline, String text) {}

    private Optional<Found> judge(Rules.Alerts rules, String scope, String metric, Instant now) {
        var windowStart = now.minus(rules.window());
        var baselineStart = now.minus(rules.baseline());
        return storage.write(c -> {
            Sql.update(
                    c,
                    "DELETE FROM policy_observations WHERE scope = ? AND metric = ? AND at < ?",
                    scope,
                    metric,
                    baselineStart);
            var recent = values(c, scope, metric, windowStart, now.plusMillis(1));
            var before = values(c, scope, metric, baselineStart, windowStart);
            var window = Text.duration(rules.window());
            var subject = describe(scope);
            return switch (metric) {
                case "failure" -> {
                    double rate = mean(recent);
                    yield recent.size() >= rules.minimum() && rate > rules.failureRate()
                            ? Optional.of(new Found(
                                    rate,
                                    rules.failureRate(),
                                    String.format(
                                            Locale.ROOT,
                                            "%s failed %d of %d attempts in the last %s (%.0f%%; the limit is %.0f%%)",
                                            subject,
                                            Math.round(rate * recent.size()),
                                            recent.size(),
                                            window,
                                            rate * 100,
                                            rules.failureRate() * 100)))
                            : Optional.empty();
                }
                case "spend", "latency" -> {
                    if (recent.isEmpty() || before.size() < rules.minimum()) {
                        yield Optional.empty();
                    }
                    double usual = median(before);
                    double now1 = mean(recent);
                    var unit = metric.equals("spend") ? "model spend per call" : "run time";
                    yield usual > 0 && now1 > rules.factor() * usual
                            ? Optional.of(new Found(
                                    now1,
                                    usual,
                                    String.format(
                                            Locale.ROOT,
                                            "%s: %s was %s in the last %s, %.1f× its %s median of %s",
                                            subject,
                                            unit,
                                            amount(metric, now1),
                                            window,
                                            now1 / usual,
                                            Text.duration(rules.baseline()),
                                            amount(metric, usual))))
                            : Optional.empty();
                }
                default -> {
                    // volumes: the count in the window against the usual count per window
                    if (recent.size() < rules.minimum() || before.size() < rules.minimum()) {
                        yield Optional.empty();
                    }
                    var first = Sql.one(
                                    c,
                                    "SELECT MIN(at) FROM policy_observations WHERE scope = ? AND metric = ? AND at >= ?",
                                    r -> r.getLong(1),
                                    scope,
                                    metric,
                                    baselineStart)
                            .orElse(windowStart.toEpochMilli());
                    double windows = Math.max(
                            1.0,
                            (double) (windowStart.toEpochMilli() - first)
                                    / rules.window().toMillis());
                    double usual = before.size() / windows;
                    yield recent.size() > rules.factor() * Math.max(usual, 1.0)
                            ? Optional.of(new Found(
                                    recent.size(),
                                    usual,
                                    String.format(
                                            Locale.ROOT,
                                            "%s: %d %s in the last %s, usually %.1f",
                                            subject,
                                            recent.size(),
                                            noun(metric),
                                            window,
                                            usual)))
                            : Optional.empty();
                }
            };
        });
    }

    private static List<Double> values(Handle c, String scope, String metric, Instant from, Instant to)
            throws SQLException {
        return Sql.query(
                c,
                "SELECT value FROM policy_observations WHERE scope = ? AND metric = ? AND at >= ? AND at < ?",
                r -> r.getDouble(1),
                scope,
                metric,
                from,
                to);
    }

    private void raise(String scope, String metric, Found found, Rules.Alerts rules) {
        var open = storage.read(c -> Sql.count(
                c,
                "SELECT COUNT(*) FROM policy_alerts WHERE scope = ? AND metric = ? AND (status = 'open' OR at >= ?)",
                scope,
                metric,
                latest.minus(QUIET)));
        if (open > 0) {
            return;
        }
        var detail = JSON.objectNode()
                .put("scope", scope)
                .put("metric", metric)
                .put("value", found.value())
                .put("baseline", found.baseline());
        open(scope, metric, found.value(), found.baseline(), found.text(), detail, rules.channel());
    }

    /**
     * Opens an alert (or a notice, e.g. a revoked suggestion) in the inbox and notifies {@code
     * channel}, if given.
     */
    public Alert open(
            String scope,
            String metric,
            double value,
            double baseline,
            String text,
            JsonNode detail,
            Optional<String> channel) {
        var at = latest.isAfter(host.clock().instant()) ? latest : host.clock().instant();
        var id = "a-" + Long.toString(at.toEpochMilli(), 36) + "-" + Integer.toHexString((scope + metric).hashCode());
        storage.write(c -> Sql.update(
                c,
                "INSERT INTO policy_alerts (id, at, scope, metric, value, baseline, text, status)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, 'open') ON CONFLICT (id) DO UPDATE SET at = excluded.at,"
                        + " scope = excluded.scope, metric = excluded.metric, value = excluded.value,"
                        + " baseline = excluded.baseline, text = excluded.text, run_id = NULL, status = 'open',"
                        + " notified = ''",
                id,
                at,
                scope,
                metric,
                value,
                baseline,
                text));
        var data = JSON.objectNode().put("id", id).put("text", text);
        data.set("detail", detail);
        var accepted = host.send(new Event("policy-" + id, EVENT, "", SOURCE, at, data, "", ""));
        accepted.started().stream()
                .findFirst()
                .ifPresent(run ->
                        storage.write(c -> Sql.update(c, "UPDATE policy_alerts SET run_id = ? WHERE id = ?", run, id)));
        channel.ifPresent(name -> notify(id, name, text, detail));
        LOG.warn("alert: {}", text);
        return get(id).orElseThrow();
    }

    private void notify(String id, String name, String text, JsonNode detail) {
        var ch = state.current().policy().channels().get(name);
        String result;
        if (ch == null) {
            result = "no channel " + name + " in the policy";
        } else {
            try {
                result = notifier.send(new Notification(name, ch.webhook(), ch.email(), "alert-" + id, text, detail));
            } catch (RuntimeException e) {
                result = "failed: " + e.getMessage();
            }
        }
        var note = name + ": " + result;
        storage.write(c -> Sql.update(c, "UPDATE policy_alerts SET notified = ? WHERE id = ?", note, id));
    }

    /** After each answer: an alert's own answer acknowledges or dismisses it. */
    public void consider(Observer.Answer answer) {
        var status =
                switch (answer.outcome()) {
                    case "unchanged", "edited" -> "acknowledged";
                    case "rejected" -> "dismissed";
                    default -> "";
                };
        if (!status.isEmpty()) {
            storage.write(c -> Sql.update(
                    c,
                    "UPDATE policy_alerts SET status = ? WHERE run_id = ? AND status = 'open'",
                    status,
                    answer.runId()));
        }
    }

    /** The alerts, newest first; only the open ones unless {@code all}. */
    public List<Alert> list(boolean all) {
        return storage.read(c -> Sql.query(
                c,
                "SELECT * FROM policy_alerts" + (all ? "" : " WHERE status = 'open'") + " ORDER BY at DESC, id",
                Anomalies::row));
    }

    Optional<Alert> get(String id) {
        return storage.read(c -> Sql.one(c, "SELECT * FROM policy_alerts WHERE id = ?", Anomalies::row, id));
    }

    private static Alert row(Sql.Rs r) throws SQLException {
        return new Alert(
                r.getString("id"),
                Instant.ofEpochMilli(r.getLong("at")),
                r.getString("scope"),
                r.getString("metric"),
                r.getDouble("value"),
                r.getDouble("baseline"),
                r.getString("text"),
                Optional.ofNullable(r.getString("run_id")),
                r.getString("status"),
                r.getString("notified"));
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static double median(List<Double> values) {
        var sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String describe(String scope) {
        if (scope.startsWith("source:")) {
            return "event source " + scope.substring("source:".length());
        }
        int slash = scope.indexOf('/');
        return slash < 0
                ? "playbook " + scope
                : "step " + scope.substring(slash + 1) + " of " + scope.substring(0, slash);
    }

    private static String noun(String metric) {
        return switch (metric) {
            case "event" -> "events";
            case "run" -> "runs started";
            case "task" -> "tasks opened";
            default -> metric;
        };
    }

    private static String amount(String metric, double value) {
        return metric.equals("spend")
                ? String.format(Locale.ROOT, "$%.4f", value)
                : Text.duration(Duration.ofMillis(Math.round(value * 1000)));
    }
}
