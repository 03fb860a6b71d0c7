package dev.aios.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.aios.api.Event;
import dev.aios.bench.Quarter.Injected;
import dev.aios.bench.Quarter.Month;
import dev.aios.bench.QuarterLeads.Draft;
import dev.aios.bench.QuarterLeads.Lead;
import dev.aios.connectors.ConnectorSettings;
import dev.aios.connectors.ConnectorsExtension;
import dev.aios.kernel.ConnectorPolicy;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepStatus;
import dev.aios.kernel.TaskKind;
import dev.aios.kernel.TaskView;
import dev.aios.models.ModelSettings;
import dev.aios.models.ModelSettings.Provider;
import dev.aios.models.ModelSettings.Route;
import dev.aios.models.ModelSettings.Wire;
import dev.aios.models.ModelsExtension;
import dev.aios.policy.PolicyExtension;
import dev.aios.testing.ScriptedModelServer;
import dev.aios.testing.ScriptedModelServer.Reply;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The running quarter: the real design-subscription playbook of aios-examples and its agents on a
 * kernel with the models, connectors and policy extensions, a scripted model server on the
 * provider's wire, and a real SMTP server (GreenMail). It is event-driven: runs last weeks (the
 * sprint, the client's review with reminders, the check-in two weeks after), so the clock moves an
 * hour at a time at most, the operator answers each task as it opens, clients accept deliveries
 * on their own schedule, and everything a run costs the operator is counted in the month it started.
 */
final class QuarterSimulation implements AutoCloseable {
    static final String PLAYBOOK = "design-subscription";
    private static final Duration HOUR = Duration.ofHours(1);

    private final Quarter.SimClock clock;
    private final List<Month> months;
    private final List<Injected> injected;
    private final List<String> otherAlerts = new ArrayList<>();
    private final List<String> unexpected = new ArrayList<>();
    private final Set<String> seenAlerts = new HashSet<>();
    private final Map<String, Lead> leads = new HashMap<>();
    private final Set<String> proposeTask = new HashSet<>();
    private final Set<String> accepting = new HashSet<>();
    private final PriorityQueue<Acceptance> acceptances = new PriorityQueue<>();
    private final ScriptedModelServer provider;
    private final ServerSetup smtp;
    private GreenMail mail;
    private boolean mailUp;
    private Optional<Instant> mailBack = Optional.empty();
    private final PolicyExtension policy;
    private final Kernel kernel;

    private record Acceptance(Instant at, String runId, String subject) implements Comparable<Acceptance> {
        @Override
        public int compareTo(Acceptance o) {
            return at.compareTo(o.at);
        }
    }

    QuarterSimulation(
            Path dir,
            Quarter.SimClock clock,
            String policyYaml,
            Map<String, JsonNode> records,
            List<Month> months,
            List<Injected> injected)
            throws IOException {
        this.clock = clock;
        this.months = months;
        this.injected = injected;
        this.provider = ScriptedModelServer.start();
        int port;
        try (var free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        // A fixed port, so that the server can come back where the connector expects it.
        this.smtp = new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP);
        smtp.setServerStartupTimeout(30_000);
        startMail();
        var settings = ModelSettings.none()
                .withProvider(new Provider(
                        "openai", Wire.OPENAI, provider.openAiBaseUrl(), "sk-quarter", Duration.ofSeconds(30)))
                .withClass("small", new Route("openai", "gpt-4o-mini"));
        var connectors = ConnectorSettings.read(new ObjectMapper().readTree("""
                        {"email": {"smtp": {"host": "127.0.0.1", "port": %d, "security": "none",
                                            "from": "Studio <hello@studio.test>"}}}
                        """.formatted(smtp.getPort()))::get);
        this.policy = PolicyExtension.builder()
                .settings(new YAMLMapper().readTree(policyYaml))
                .knowledge(id -> Optional.ofNullable(records.get(id)))
                .build();
        this.kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .discoverAgents()
                .discoverPlaybooks()
                // The failing mail server is the alert's business here: a breaker would wait on real time.
                .connector("email", ConnectorPolicy.DEFAULT.withBreaker(100, 10, 10, Duration.ofSeconds(1)))
                .extension(new ModelsExtension(settings))
                .extension(new ConnectorsExtension(connectors, name -> Optional.empty()))
                .extension(policy)
                .pollInterval(Duration.ofMillis(5))
                .build();
        kernel.start();
    }

    /** Other alerts raised than the injected anomalies'. */
    List<String> otherAlerts() {
        return otherAlerts;
    }

    /** Tasks the operator's rules did not foresee (approved as they were). */
    List<String> unexpected() {
        return unexpected;
    }

    /** Moves the clock to {@code at}, an hour at most at a time, letting the runs and the operator act. */
    void advanceTo(Instant at) {
        while (clock.instant().isBefore(at)) {
            var next = clock.instant().plus(HOUR);
            if (next.isAfter(at)) {
                next = at;
            }
            if (!acceptances.isEmpty() && acceptances.peek().at().isBefore(next)) {
                next = acceptances.peek().at();
            }
            if (mailBack.isPresent() && mailBack.get().isBefore(next)) {
                next = mailBack.get();
            }
            clock.set(next);
            if (mailBack.isPresent() && !mailBack.get().isAfter(clock.instant())) {
                mailBack = Optional.empty();
                startMail();
            }
            while (!acceptances.isEmpty() && !acceptances.peek().at().isAfter(clock.instant())) {
                var a = acceptances.poll();
                send(
                        a.subject(),
                        "delivery.accepted",
                        "client-portal",
                        "delivery-" + a.runId(),
                        new ObjectMapper().createObjectNode());
            }
            kernel.wake();
            quiet();
            operator();
        }
    }

    /** Moves on until every run of the quarter has ended, or {@code limit}. */
    void finish(Instant limit) {
        while (clock.instant().isBefore(limit) && !allEnded()) {
            advanceTo(clock.instant().plus(Duration.ofHours(6)));
        }
    }

    /** Sends {@code lead} and waits until its proposal was committed or answered (or it was declined). */
    void lead(Lead lead, boolean spiking) {
        if (lead.designWork()) { // a declined lead reaches no proposal, so no model call
            provider.enqueue(Reply.json(QuarterLeads.answer(lead).toString(), spiking ? 24_000 : 600, 250));
        }
        var runId = send(lead.subject(), "lead.received", "website", "lead-" + lead.index(), lead.data());
        leads.put(runId, lead);
        var month = months.get(lead.month());
        month.runs++;
        for (int i = 0; ; i++) {
            var run = kernel.run(runId);
            var open = run.tasks().stream()
                    .filter(t -> t.status() == dev.aios.kernel.TaskStatus.OPEN)
                    .findFirst();
            if (open.isPresent()) {
                answer(open.get());
                continue;
            }
            var propose =
                    run.steps().stream().filter(s -> s.id().equals("propose")).findFirst();
            boolean proposed = propose.isPresent() && propose.get().status() == StepStatus.COMPLETED;
            if (proposed || run.status().isFinal()) {
                month.spend = month.spend.add(spend(run));
                if (proposed && !proposeTask.contains(runId)) {
                    autoCommitted(lead, run, month);
                }
                quiet();
                operator();
                return;
            }
            if (i > 20_000) {
                throw new IllegalStateException("lead " + lead.index() + " did not reach its proposal: " + run);
            }
            LockSupport.parkNanos(2_000_000);
        }
    }

    private void autoCommitted(Lead lead, RunView run, Month month) {
        month.auto++;
        if (lead.draft() == Draft.GOOD) {
            return;
        }
        // The operator sees it later in the sent folder and corrects it: that revokes the autonomy.
        month.wrongAuto++;
        month.operatorMinutes += 7;
        var propose = run.steps().stream()
                .filter(s -> s.id().equals("propose"))
                .findFirst()
                .orElseThrow();
        var report = policy.correct(
                run.id(),
                "propose",
                propose.input(),
                propose.output(),
                QuarterLeads.fixed(propose.output(), lead),
                "wrong price",
                "operator");
        if (!report.path("revoked").isNull()) {
            month.revoked++;
        }
    }

    /** Stops the mail server until {@code back}. */
    void mailDown(Instant back) {
        mail.stop();
        mailUp = false;
        mailBack = Optional.of(back);
    }

    private void startMail() {
        mail = new GreenMail(smtp);
        mail.start();
        mailUp = true;
    }

    private boolean mailUp() {
        return mailUp;
    }

    private String send(String subject, String type, String source, String id, JsonNode data) {
        var started = kernel.send(new Event(id, type, subject, source, clock.instant(), data, "", ""))
                .started();
        return started.isEmpty() ? "" : started.getFirst();
    }

    /**
     * Waits until no run is running. A step retrying waits for its backoff on the test clock, so
     * while runs keep running the clock moves on 30 seconds at a time, as it would in real life.
     */
    private void quiet() {
        int calm = 0;
        int busy = 0;
        for (int i = 0; i < 3_000 && calm < 3; i++) {
            LockSupport.parkNanos(3_000_000);
            boolean running = !kernel.runs(
                            RunQuery.all().withStatus(RunStatus.RUNNING).withLimit(1))
                    .isEmpty();
            if (running) {
                calm = 0;
                if (++busy % 30 == 0) {
                    clock.advance(Duration.ofSeconds(30));
                }
            } else {
                calm++;
            }
        }
    }

    private boolean allEnded() {
        for (var status : List.of(RunStatus.RUNNING, RunStatus.WAITING, RunStatus.NEEDS_ATTENTION)) {
            if (kernel
                    .runs(RunQuery.all()
                            .withStatus(status)
                            .withPlaybook(PLAYBOOK)
                            .withLimit(1))
                    .stream()
                    .anyMatch(r -> leads.containsKey(r.id()))) {
                return false;
            }
        }
        return true;
    }

    /** The operator's round: open tasks of the quarter's runs, deliveries to accept, the inbox. */
    private void operator() {
        for (var task : kernel.tasks(false)) {
            if (leads.containsKey(task.runId())) {
                answer(task);
            }
        }
        for (var run : kernel.runs(RunQuery.all()
                .withStatus(RunStatus.WAITING)
                .withPlaybook(PLAYBOOK)
                .withLimit(1000))) {
            if (run.currentStep().orElse("").equals("deliver")
                    && leads.containsKey(run.id())
                    && accepting.add(run.id())) {
                acceptances.add(new Acceptance(
                        clock.instant().plus(QuarterLeads.review(leads.get(run.id()))), run.id(), run.subject()));
            }
        }
        policy.settle();
        QuarterInbox.answer(kernel, policy, clock, months, injected, otherAlerts, seenAlerts);
    }

    /** Answers one task of a quarter's run by the operator's fixed rules. */
    private void answer(TaskView task) {
        var lead = leads.get(task.runId());
        if (task.kind() == TaskKind.DEAD_LETTER && !mailUp()) {
            return; // the operator waits for the mail server to come back, then retries
        }
        var month = months.get(lead == null ? 0 : lead.month());
        month.tasks++;
        policy.viewed(task.id());
        if (task.stepId().equals("propose")) {
            proposeTask.add(task.runId());
            switch (lead.draft()) {
                case GOOD -> {
                    operatorTime(month, 3);
                    kernel.approve(task.id(), Optional.empty(), "");
                }
                case WRONG_PRICE -> {
                    operatorTime(month, 7);
                    kernel.approve(
                            task.id(),
                            Optional.of(QuarterLeads.fixed(task.proposed(), lead)),
                            "the " + lead.plan().label() + " plan is "
                                    + lead.plan().monthlyPrice() + " a month");
                }
                case BIG_DISCOUNT -> {
                    operatorTime(month, 4);
                    kernel.reject(task.id(), "no discounts above 30%");
                }
            }
        } else if (task.kind() == TaskKind.DEAD_LETTER) {
            operatorTime(month, 2);
            kernel.retry(task.id(), "the mail server is back");
        } else {
            if (!task.stepId().equals("qualify")) {
                unexpected.add(task.stepId() + " (" + task.kind() + "): " + task.title());
            }
            operatorTime(month, 2);
            kernel.approve(task.id(), Optional.empty(), "");
        }
    }

    private void operatorTime(Month month, int minutes) {
        clock.advance(Duration.ofMinutes(minutes));
        month.operatorMinutes += minutes;
    }

    private static BigDecimal spend(RunView run) {
        var total = BigDecimal.ZERO;
        for (var step : run.steps()) {
            for (var note : step.provenance()) {
                if (note.path("kind").asText().equals("model")) {
                    total = total.add(
                            new BigDecimal(note.path("detail").path("costUsd").asText("0")));
                }
            }
        }
        return total;
    }

    @Override
    public void close() {
        kernel.close();
        provider.close();
        if (mailUp()) {
            mail.stop();
        }
    }

    static Map<String, JsonNode> records() {
        return new ConcurrentHashMap<>();
    }
}
