package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.spi.PlaybookSource;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.JournalRecord;
import dev.aios.kernel.LoadReport;
import dev.aios.kernel.NotFoundException;
import dev.aios.kernel.Overview;
import dev.aios.kernel.PlaybookInfo;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunView;
import dev.aios.kernel.StepView;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.agent.AgentRegistry;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.journal.PayloadCodec;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.PlaybookCompiler;
import dev.aios.kernel.internal.store.Database;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The kernel's internals wired together; {@link dev.aios.kernel.Kernel} is its public face. */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final EngineConfig config;
    private final Database db;
    private final RunJournal journal;
    private final AgentRegistry agents;
    private final Playbooks playbooks;
    private final WorkQueue queue;
    private final Dispatcher dispatcher;
    private final EventIntake intake;
    private final TaskDesk desk;
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("aios-agent-", 0).factory());
    private final PlaybookWatcher watcher;

    private Engine(EngineConfig config, Database db) {
        this.config = config;
        this.db = db;
        InstantSource clock = config.clock();
        this.journal = new RunJournal(PayloadCodec.PLAIN);
        this.agents = new AgentRegistry();
        config.agents().forEach(agents::register);
        if (config.discoverAgents()) {
            agents.discover(Thread.currentThread().getContextClassLoader());
        }
        var cel = new Cel();
        this.playbooks = new Playbooks(db, new PlaybookCompiler(cel), agents::names, clock);
        String node = "node-" + ProcessHandle.current().pid();
        this.queue = new WorkQueue(db, journal, clock, node, this::leaseFor);
        this.connectors = new Connectors(config.connectors(), clock);
        var effects = new Effects(db, journal, connectors, clock);
        var runner = new StepRunner(agents, cel, clock, calls, effects);
        this.dispatcher = new Dispatcher(
                queue, lease -> execute(runner, lease), config.concurrency(), config.pollInterval(), clock);
        this.intake = new EventIntake(journal, PayloadCodec.PLAIN, playbooks, dispatcher::wake);
        this.progress = new Progress(db, journal, queue, intake, clock, dispatcher::wake);
        this.desk = new TaskDesk(db, journal, playbooks, agents, clock, dispatcher::wake);
        this.watcher = new PlaybookWatcher(config.playbookDirectory(), this::reloadPlaybooks);
    }

    private final Progress progress;
    private final Connectors connectors;

    /** Grace beyond a step's own timeout before its lease counts as lost. */
    private static final Duration LEASE_GRACE = Duration.ofSeconds(30);

    /**
     * How long an item may be held: a step with a heartbeat for its heartbeat timeout (each beat
     * extends it); any other agent step for its timeout plus a grace; quick steps a minute.
     */
    private Duration leaseFor(dev.aios.kernel.internal.run.RunState state, String step, String kind) {
        try {
            var compiled = playbooks.version(state.playbook, state.version).step(step);
            if (compiled instanceof CompiledStep.AgentCall call && (kind.equals("step") || kind.equals("compensate"))) {
                String agent = kind.equals("step")
                        ? call.agent()
                        : call.compensation()
                                .map(CompiledStep.Compensation::agent)
                                .orElse(call.agent());
                var timeout = call.options().timeout().or(() -> agents.find(agent)
                        .map(a -> a.contract().timeout()));
                if (kind.equals("step") && call.options().heartbeat().isPresent()) {
                    return call.options().heartbeat().get();
                }
                return timeout.orElse(dev.aios.api.Contract.DEFAULT_TIMEOUT).plus(LEASE_GRACE);
            }
        } catch (RuntimeException e) {
            // an unknown version or step is parked by execute(); a short lease is enough
        }
        return Duration.ofMinutes(1);
    }

    /** Opens the data directory and loads agents and playbooks; nothing executes until {@link #start}. */
    public static Engine open(EngineConfig config) {
        var db = Database.open(config.dataDirectory());
        try {
            var engine = new Engine(config, db);
            engine.playbooks.loadStored();
            engine.reloadPlaybooks();
            return engine;
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** Starts executing work; leases left by an earlier process are released first. */
    public void start() {
        int released = queue.releaseAll();
        if (released > 0) {
            LOG.info("resuming {} steps left in flight by the previous process", released);
        }
        dispatcher.start();
        watcher.start();
    }

    private void execute(StepRunner runner, Lease lease) {
        var state = db.read(tx -> journal.load(tx, lease.runId()));
        if (state.isEmpty() || state.get().status.isFinal()) {
            return;
        }
        var run = state.get();
        if (lease.kind().equals("compensate") && run.status != dev.aios.kernel.RunStatus.COMPENSATING) {
            return;
        }
        CompiledPlaybook playbook;
        CompiledStep step;
        try {
            playbook = playbooks.version(run.playbook, run.version);
            step = playbook.step(lease.step());
        } catch (RuntimeException e) {
            // Without its playbook version the step cannot run; park it where the operator sees it.
            progress.fail(
                    lease,
                    "playbook " + run.playbook + "@" + run.version + " cannot run step '" + lease.step() + "': "
                            + e.getMessage());
            return;
        }
        int allowed = Progress.options(playbook, lease.step())
                .retry()
                .orElse(dev.aios.api.RetryPolicy.DEFAULT)
                .maxAttempts();
        if (lease.kind().equals("step") && lease.attempt() > allowed) {
            // Earlier attempts were started but never ended: the worker died or hung each time.
            progress.fail(
                    lease,
                    "it was started " + (lease.attempt() - 1) + " times and no attempt finished;"
                            + " the process may be crashing or hanging on it");
            return;
        }
        Outcome outcome;
        try {
            outcome = switch (lease.kind()) {
                case "step" -> runner.execute(playbook, step, run, lease);
                case "timer" -> runner.wake(step, lease);
                case "timeout" -> runner.giveUp(step);
                case "compensate" -> runner.undo(playbook, run, lease);
                default -> new Outcome.Failed(Json.object(), "unknown work kind '" + lease.kind() + "'", false);
            };
        } catch (RuntimeException e) {
            outcome = new Outcome.Failed(Json.object(), "the kernel failed to execute the step: " + e, true);
        }
        progress.record(lease, playbook, outcome);
    }

    public Accepted send(Event event) {
        return db.write(tx -> intake.accept(tx, event, config.clock().instant()));
    }

    public List<RunSummary> runs(RunQuery query) {
        var where = new ArrayList<String>();
        var args = new ArrayList<Object>();
        query.status().ifPresent(s -> {
            where.add("status = ?");
            args.add(s.wire());
        });
        query.playbook().ifPresent(p -> {
            where.add("playbook = ?");
            args.add(p);
        });
        query.subject().ifPresent(s -> {
            where.add("subject = ?");
            args.add(s);
        });
        args.add(query.limit());
        String sql = "SELECT id, playbook, version, subject, status, current_step, created_at, updated_at FROM runs"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY created_at DESC, id DESC LIMIT ?";
        return db.read(tx -> tx.query(sql, Views::summary, args.toArray()));
    }

    public Overview overview() {
        return db.read(tx -> {
            var counts = new EnumMap<RunStatus, Long>(RunStatus.class);
            for (var status : RunStatus.values()) {
                counts.put(status, 0L);
            }
            tx.query("SELECT status, COUNT(*) AS n FROM runs GROUP BY status", r -> {
                counts.put(RunStatus.fromWire(r.text("status")), r.integer("n"));
                return null;
            });
            long open = tx.count("SELECT COUNT(*) AS n FROM tasks WHERE status = 'open'");
            return new Overview(counts, open);
        });
    }

    public RunView run(String runId) {
        return db.read(tx -> {
            var state = journal.load(tx, runId).orElseThrow(() -> noRun(runId));
            var tasks = tx.query(
                    "SELECT " + Views.TASK_COLUMNS + " FROM tasks WHERE run_id = ? ORDER BY created_at, id",
                    Views::task,
                    runId);
            var receipts = tx.query(
                    "SELECT step_id, iteration, name, effect_key, at, result FROM receipts WHERE run_id = ? ORDER BY at, effect_key",
                    r -> new Views.Receipt(
                            r.text("step_id"),
                            (int) r.integer("iteration"),
                            new StepView.ReceiptView(
                                    r.text("name"),
                                    r.text("effect_key"),
                                    r.instant("at"),
                                    Json.tree(r.text("result")))),
                    runId);
            return Views.run(state, tasks, receipts);
        });
    }

    public List<JournalRecord> journal(String runId) {
        return db.read(tx -> {
            var stored = journal.stored(tx, runId);
            if (stored.isEmpty()) {
                throw noRun(runId);
            }
            return stored.stream()
                    .map(s -> new JournalRecord(
                            s.runId(), s.seq(), s.type(), s.at(), Json.tree(journal.payload(s)), s.checksum()))
                    .toList();
        });
    }

    public List<TaskView> tasks(boolean all) {
        return db.read(tx -> tx.query(
                "SELECT " + Views.TASK_COLUMNS + " FROM tasks" + (all ? "" : " WHERE status = 'open'")
                        + " ORDER BY created_at DESC, id DESC LIMIT 500",
                Views::task));
    }

    public TaskView task(String taskId) {
        return db.read(tx -> tx.queryOne(
                        "SELECT " + Views.TASK_COLUMNS + " FROM tasks WHERE id = ?", Views::task, taskId)
                .orElseThrow(() -> new NotFoundException("no task " + taskId + "; list open tasks with `aios tasks`")));
    }

    public TaskView answer(String taskId, TaskAnswer answer, Optional<JsonNode> output, String comment) {
        desk.answer(taskId, answer, output, comment);
        return task(taskId);
    }

    public RunSummary cancel(String runId, String reason) {
        return desk.cancel(runId, reason);
    }

    public List<PlaybookInfo> playbooks() {
        return playbooks.infos();
    }

    public PlaybookInfo register(Playbook playbook) {
        config.built().add(playbook);
        var report = reloadPlaybooks();
        return report.loaded().stream()
                .filter(p -> p.name().equals(playbook.name()))
                .findFirst()
                .orElseThrow(() -> new dev.aios.kernel.PlaybookException(report.refused()));
    }

    /** Loads the bundled, directory and Java-built playbooks again. */
    public synchronized LoadReport reloadPlaybooks() {
        var inputs = new ArrayList<Playbooks.Input>();
        if (config.discoverPlaybooks()) {
            for (var source : ServiceLoader.load(
                    PlaybookSource.class, Thread.currentThread().getContextClassLoader())) {
                source.playbooks().forEach(t -> inputs.add(new Playbooks.Input.Yaml(t.origin(), t.yaml())));
            }
        }
        config.playbookDirectory().ifPresent(dir -> inputs.addAll(PlaybookWatcher.read(dir)));
        config.built().forEach(p -> inputs.add(new Playbooks.Input.Built(p)));
        var report = playbooks.load(inputs);
        report.refused().forEach(p -> LOG.warn("playbook refused: {}", p));
        return report;
    }

    public LoadReport lastLoad() {
        return playbooks.lastLoad();
    }

    public List<AgentInfo> agents() {
        return agents.infos();
    }

    /** The journal, for verification. */
    public RunJournal journal() {
        return journal;
    }

    /** The database, for verification and statistics. */
    public Database database() {
        return db;
    }

    /** Wakes the dispatcher, e.g. after a test advanced its clock. */
    public void wake() {
        dispatcher.wake();
    }

    private static NotFoundException noRun(String runId) {
        return new NotFoundException("no run " + runId + "; list runs with `aios runs`");
    }

    @Override
    public void close() {
        watcher.close();
        dispatcher.stop(Duration.ofSeconds(10));
        calls.shutdownNow();
        db.close();
    }
}
