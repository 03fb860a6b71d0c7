package dev.aios.kernel.internal.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.api.spi.PlaybookSource;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.AgentInfo;
import dev.aios.kernel.Digest;
import dev.aios.kernel.ForgetReport;
import dev.aios.kernel.JournalRecord;
import dev.aios.kernel.KernelHealth;
import dev.aios.kernel.LoadReport;
import dev.aios.kernel.Overview;
import dev.aios.kernel.Page;
import dev.aios.kernel.PlaybookInfo;
import dev.aios.kernel.RunQuery;
import dev.aios.kernel.RunSummary;
import dev.aios.kernel.RunTraces;
import dev.aios.kernel.RunView;
import dev.aios.kernel.TaskQuery;
import dev.aios.kernel.TaskView;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.access.AdminToken;
import dev.aios.kernel.internal.access.AuditTrail;
import dev.aios.kernel.internal.access.SecretStore;
import dev.aios.kernel.internal.access.TokenStore;
import dev.aios.kernel.internal.agent.AgentRegistry;
import dev.aios.kernel.internal.cel.Budget;
import dev.aios.kernel.internal.cel.Cel;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.playbook.CompiledPlaybook;
import dev.aios.kernel.internal.playbook.CompiledStep;
import dev.aios.kernel.internal.playbook.PlaybookCompiler;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.internal.store.Stores;
import dev.aios.kernel.internal.store.WorkKind;
import dev.aios.kernel.spi.Extension;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The kernel's internals wired together; {@link dev.aios.kernel.Kernel} is its public face. */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final EngineConfig config;
    private final Store store;
    private final SubjectKeys keys;
    private final FeedHub feed = new FeedHub();
    private final RunJournal journal;
    private final AgentRegistry agents;
    private final Services services = new Services();
    private final Host host;
    private final Playbooks playbooks;
    private final WorkQueue queue;
    private final Dispatcher<Lease> dispatcher;
    private final Mailboxes mailboxes;
    private final Dispatcher<Mailboxes.Claim> instances;
    private final InstanceReads instanceReads;
    private final EventIntake intake;
    private final Awaits awaits;
    private final AuditTrail audit;
    private final TokenStore tokens;
    private final SecretStore secrets;
    private volatile Optional<java.nio.file.Path> adminTokenFile = Optional.empty();
    private final Progress progress;
    private final TaskDesk desk;
    private final Escalations escalations;
    private final RunQueries queries;
    private final KernelTraces traces;
    private final Reports reports;
    private final WhatIf whatIf;
    private final Forgetting forgetting;
    private final Connectors connectors;
    private final KernelMeters meters;
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("aios-agent-", 0).factory());
    private final PlaybookWatcher watcher;
    private final RunEnds ends = new RunEnds(feed::listen);
    private final String masterKeyOrigin;

    private Engine(EngineConfig config, Store store, Cel cel) {
        this.config = config;
        this.store = store;
        InstantSource clock = config.clock();
        var master = dev.aios.kernel.internal.journal.MasterKeys.open(config.dataDirectory(), config.masterKey());
        this.masterKeyOrigin = master.origin();
        this.keys = new SubjectKeys(store, clock, master);
        this.journal = new RunJournal(keys, feed);
        this.audit = new AuditTrail(store, clock);
        this.tokens = new TokenStore(store, audit, clock);
        this.secrets = new SecretStore(store, master, audit, clock);
        this.agents = new AgentRegistry();
        config.agents().forEach(agents::register);
        if (config.discoverAgents()) {
            agents.discover(Thread.currentThread().getContextClassLoader());
        }
        this.meters = new KernelMeters(config.meters());
        meters.watch(store);
        this.traces = new KernelTraces(config.openTelemetry(), this::runIfAny);
        if (traces.enabled()) {
            feed.listen(traces);
        }
        this.host = new Host(
                store,
                journal,
                keys,
                feed,
                clock,
                config.dataDirectory(),
                services,
                agents,
                config.meters(),
                secrets,
                new HostAudit(audit, tokens, store, clock),
                config.concurrency());
        this.playbooks = new Playbooks(store, new PlaybookCompiler(cel), agents, host, clock, audit);
        this.queue = new WorkQueue(store, journal, clock, node, this::leaseFor);
        this.connectors = new Connectors(config.connectors(), clock, meters, traces);
        AgentLookup lookup = (ref, name) -> playbooks.declared(ref, name).or(() -> agents.find(name));
        var effects = new Effects(store, journal, connectors, clock, lookup);
        StepRunner.Loops loops = (runId, block) -> store.read(tx -> tx.loops().items(runId, block)).stream()
                .map(i -> new StepRunner.Loops.Row(
                        i.index(), i.item(), i.outputs().orElse(Json.object())))
                .toList();
        // What the kernel's own writes make due is the dispatcher's: the agents' instances are woken by
        // the writes that give them messages (Mailboxes), so a run's end does not wake their dispatcher too.
        Runnable wake = this::wakeSteps;
        this.intake = new EventIntake(journal, keys, playbooks, wake, feed);
        this.awaits = new Awaits(store, journal, playbooks, clock, wake);
        var runner = new StepRunner(
                lookup,
                cel,
                clock,
                calls,
                effects,
                services,
                intake,
                config.limits().maxEventDepth(),
                () -> host.windows,
                loops,
                host::policy);
        WorkQueue.Firing firing = (tx, lease) -> fire(runner, tx, lease);
        this.dispatcher = Dispatcher.of(
                queue, firing, lease -> execute(runner, lease), config.concurrency(), config.pollInterval(), clock);
        intake.startWith(tx -> placeForFirst(runner, tx));
        this.mailboxes = new Mailboxes(
                store, journal.codec(), clock, playbooks::stateful, playbooks::agent, services, calls, node);
        this.instances = new Dispatcher<>(
                "agent", mailboxes::lease, mailboxes::handle, config.concurrency(), config.pollInterval(), clock);
        mailboxes.wakeWith(instances::wake);
        this.instanceReads = new InstanceReads(store, mailboxes.sealing());
        var deadLetters = new MailboxDeadLetters(store, mailboxes.sealing(), clock, instances::wake);
        agents.register(deadLetters.agent());
        config.built().add(MailboxDeadLetters.playbook());
        mailboxes.whenGivenUp((tx, message, error, attempts, now) -> {
            var event = deadLetters.event(message, error, attempts, now);
            intake.accept(tx, event, intake.route(event, 0), now);
        });
        services.add(new dev.aios.kernel.spi.StepService<dev.aios.api.Instances>() {
            @Override
            public Class<dev.aios.api.Instances> type() {
                return dev.aios.api.Instances.class;
            }

            @Override
            public dev.aios.api.Instances open(dev.aios.kernel.spi.StepScope scope) {
                return instanceReads::state;
            }
        });
        intake.deliverWith(this::deliver);
        var lineage = new Lineage(journal, playbooks, clock);
        journal.onStatusChange(lineage);
        this.progress = new Progress(store, journal, queue, intake, awaits, lineage, firing, clock, wake);
        this.desk = new TaskDesk(store, journal, playbooks, lookup, clock, dispatcher::wake, audit);
        this.escalations = new Escalations(store, host::policy, progress, desk, clock);
        this.queries = new RunQueries(store, journal, clock);
        this.reports = new Reports(store, connectors, clock);
        this.whatIf = new WhatIf(store, journal, playbooks, queries);
        this.forgetting = new Forgetting(store, journal, keys, clock, host.forgetListeners, host.forgetGuards, audit);
        host.forgetWith(forgetting::forget);
        host.traceWith(traces.tracer());
        // A subject's instances go with the rest of it: their state and messages are deleted.
        host.forgetListeners.add(mailboxes::forget);
        host.intakeWith(this::send, this::startRun);
        host.leadWith(this::leads);
        host.loadWith(config.built()::add);
        this.watcher = new PlaybookWatcher(config.playbookDirectory(), this::reloadPlaybooks);
        store.onBroken(config.whenBroken());
    }

    /**
     * This process among the nodes working on the store: unique per start, so that leases left by
     * an earlier process are never taken for this one's.
     */
    /** This engine's name as a lease owner: unique even beside other engines in the same process. */
    private final String node = "node-" + ProcessHandle.current().pid() + "-"
            + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);

    /** Grace beyond a step's own timeout before its lease counts as lost. */
    private static final Duration LEASE_GRACE = Duration.ofSeconds(30);

    /**
     * How long an item may be held: a step with a heartbeat for its heartbeat timeout (each beat
     * extends it); any other agent step for its timeout plus a grace; quick steps a minute.
     */
    private Duration leaseFor(dev.aios.kernel.internal.run.RunState state, String step, WorkKind kind) {
        try {
            var compiled = playbooks.version(state.playbook, state.version).step(step);
            if (compiled instanceof CompiledStep.AgentCall call
                    && (kind == WorkKind.STEP || kind == WorkKind.COMPENSATE)) {
                String agent = kind == WorkKind.STEP
                        ? call.agent()
                        : call.compensation()
                                .map(CompiledStep.Compensation::agent)
                                .orElse(call.agent());
                var timeout = call.options().timeout().or(() -> agents.find(agent)
                        .map(a -> a.terms().timeout()));
                if (kind == WorkKind.STEP && call.options().heartbeat().isPresent()) {
                    return call.options().heartbeat().get();
                }
                return timeout.orElse(dev.aios.api.Contract.DEFAULT_TIMEOUT).plus(LEASE_GRACE);
            }
        } catch (RuntimeException e) {
            // an unknown version or step is parked by execute(); a short lease is enough
        }
        return Duration.ofMinutes(1);
    }

    /**
     * Opens the data directory, attaches the extensions, registers agents and loads playbooks;
     * nothing executes until {@link #start}.
     */
    public static Engine open(EngineConfig config) {
        // CEL's first compile loads and initializes a large share of the classes a start needs: that
        // happens on a second thread while the store opens and migrates; then that thread compiles the
        // expressions of the stored, bundled and directory playbooks into CEL's cache while the
        // extensions attach. Playbooks are still loaded below, before this returns, so a bad expression
        // is still refused at start with its file and line.
        java.util.concurrent.Executor beside =
                task -> Thread.ofPlatform().name("aios-cel").daemon().start(task);
        var loader = Thread.currentThread().getContextClassLoader();
        var cel = CompletableFuture.supplyAsync(
                () -> new Cel(Budget.DEFAULT.withTime(config.limits().expressionTime())).warmedUp(), beside);
        Store store;
        try {
            for (var extension : config.extensions()) {
                extension.prepare(config.dataDirectory());
            }
            store = Stores.open(config.dataDirectory(), config.database());
        } catch (RuntimeException e) {
            config.extensions().forEach(Engine::closeQuietly);
            throw e;
        }
        var compiledAhead = cel.thenAcceptAsync(
                        made -> {
                            Playbooks.compileExpressionsAhead(made, Playbooks.stored(store));
                            Playbooks.compileExpressionsAhead(made, playbookInputs(config, loader));
                        },
                        beside)
                .exceptionally(failure -> null);
        try {
            var engine = new Engine(config, store, joined(cel));
            int wrapped = engine.keys.prepare();
            if (wrapped > 0) {
                LOG.info("wrapped {} subject keys with the master key", wrapped);
            }
            for (var extension : config.extensions()) {
                extension.attach(engine.host);
            }
            int renamed = engine.forgetting.pseudonymizeOlder();
            if (renamed > 0) {
                LOG.info(
                        "replaced the names of {} subjects forgotten by an older version by their pseudonyms", renamed);
            }
            // Not compiled twice at once: the load waits for the head start and finds it cached.
            compiledAhead.join();
            engine.playbooks.loadStored();
            engine.reloadPlaybooks();
            engine.adminTokenFile = AdminToken.ensure(engine.tokens, config.dataDirectory());
            return engine;
        } catch (RuntimeException e) {
            config.extensions().forEach(Engine::closeQuietly);
            store.close();
            throw e;
        }
    }

    /** What {@code made} made, or what it threw, as it threw it. */
    private static <T> T joined(CompletableFuture<T> made) {
        try {
            return made.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    private static void closeQuietly(Extension extension) {
        try {
            extension.close();
        } catch (RuntimeException e) {
            LOG.warn("closing extension {} failed", extension.getClass().getName(), e);
        }
    }

    /** Starts executing work; leases left by workers that are gone are released first. */
    public void start() {
        int released = queue.releaseAbandoned(config.clock().instant().minus(SILENT));
        if (released > 0) {
            LOG.info("resuming {} steps left in flight by the previous process", released);
        }
        int instancesReleased = mailboxes.releaseAll();
        if (instancesReleased > 0) {
            LOG.info(
                    "resuming {} stateful agent instances left handling a message by the previous process",
                    instancesReleased);
        }
        startedAt = config.clock().instant();
        // Alive from the start: the first heartbeat is recorded before any work is taken.
        store.write(tx -> {
            tx.nodes().seen(node, startedAt, startedAt);
            return null;
        });
        heartbeat.scheduleWithFixedDelay(
                this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        dispatcher.start();
        // Work another node made due is taken at once, not at the next poll.
        store.onCommitElsewhere(() -> {
            dispatcher.wake();
            instances.wake();
            // A run waited for here may have ended there.
            ends.elsewhere();
        });
        instances.start();
        awaits.start();
        watcher.start();
        for (var extension : config.extensions()) {
            extension.start();
        }
    }

    /** How often this node says it is alive. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(5);

    /** How long a node may be silent before it no longer counts as alive (and its record is dropped). */
    private static final Duration SILENT = Duration.ofSeconds(30);

    private volatile java.time.Instant startedAt;
    private final java.util.concurrent.ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("aios-heartbeat").daemon().factory());

    /** Says that this node is alive, and forgets nodes long silent; a store that fails is told of elsewhere. */
    private void beat() {
        var now = config.clock().instant();
        store.submit(tx -> {
                    tx.nodes().seen(node, startedAt, now);
                    tx.nodes().forgetBefore(now.minus(SILENT.multipliedBy(100)));
                    if (startedAt.isBefore(now.minus(SILENT))) {
                        // Steps held by a node that died run again here rather than when their leases expire.
                        int taken = tx.work().releaseAbandoned(node, now.minus(SILENT));
                        if (taken > 0) {
                            LOG.info("took over {} steps from nodes silent for {} s", taken, SILENT.toSeconds());
                        }
                    }
                    return null;
                })
                .exceptionally(e -> {
                    LOG.debug("heartbeat not recorded", e);
                    return null;
                });
    }

    /** The nodes working on the store that were alive lately, with the work each holds. */
    public List<dev.aios.kernel.NodeInfo> nodes() {
        var now = config.clock().instant();
        return store.read(tx -> tx.nodes().seenSince(now.minus(SILENT), now));
    }

    /**
     * Whether this node is the longest running of the nodes alive (see {@link
     * dev.aios.kernel.spi.ExtensionHost#leads}); when none is listed, or the store cannot be read,
     * it leads, so that work one node does for all is rather done twice than not at all.
     */
    boolean leads() {
        try {
            return nodes().stream()
                    .min(java.util.Comparator.comparing(dev.aios.kernel.NodeInfo::startedAt)
                            .thenComparing(dev.aios.kernel.NodeInfo::name))
                    .map(first -> first.name().equals(node))
                    .orElse(true);
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Executes {@code first}, then each step that the unit recording an outcome leased next for
     * the same run, on this thread and in this worker's place.
     */
    private void execute(StepRunner runner, Lease first) {
        execute(runner, first, Optional.empty());
    }

    /** Executes {@code first} on the run's state as {@code handed} over with it, then what follows as above. */
    private void execute(StepRunner runner, Lease first, Optional<dev.aios.kernel.internal.run.RunState> handed) {
        var next = execute(runner, first, handed, !closing);
        while (next.isPresent()) {
            next = execute(runner, next.get().lease(), Optional.of(next.get().state()), !closing);
        }
    }

    /**
     * Takes a worker's place for the first step of a run that {@code tx} starts, when one is free:
     * the step is scheduled and leased in {@code tx} and handed to that worker with the run's state
     * once {@code tx} committed, so the run starts without a round through the dispatcher and a
     * lease commit of its own. The lease is as durable as the dispatcher's, so a crash before the
     * step is recorded still runs it again. If {@code tx} rolls back, the place is freed.
     */
    private Optional<EventIntake.Handing> placeForFirst(StepRunner runner, dev.aios.kernel.internal.store.Tx tx) {
        if (closing || !dispatcher.reserve()) {
            return Optional.empty();
        }
        var reserved = new java.util.concurrent.atomic.AtomicBoolean(true);
        tx.onRollback(() -> {
            if (reserved.compareAndSet(true, false)) {
                dispatcher.release();
            }
        });
        return Optional.of(new EventIntake.Handing() {
            @Override
            public dev.aios.kernel.internal.journal.JournalEntry.StepScheduled handed(
                    dev.aios.kernel.internal.journal.JournalEntry.StepScheduled scheduled) {
                return queue.handingOver(scheduled, scheduled.visibleAt());
            }

            @Override
            public boolean handOver(
                    dev.aios.kernel.internal.store.Tx tx,
                    dev.aios.kernel.internal.run.RunState state,
                    dev.aios.kernel.internal.journal.JournalEntry.StepScheduled handed) {
                var next = queue.handedOver(tx, state, handed, handed.visibleAt());
                var copy = state.copy();
                tx.afterCommit(() -> {
                    if (reserved.compareAndSet(true, false)) {
                        dispatcher.runReserved(() -> execute(runner, next.lease(), Optional.of(copy)));
                    }
                });
                return next.alone();
            }
        });
    }

    /**
     * Executes one item, on the run's state as {@code handed} over with it or else as stored;
     * returns the run's next step when recording the outcome leased it.
     */
    private Optional<Progress.Handed> execute(
            StepRunner runner, Lease lease, Optional<dev.aios.kernel.internal.run.RunState> handed, boolean goOn) {
        if (lease.kind() == WorkKind.ESCALATE) {
            escalations.fire(lease);
            return Optional.empty();
        }
        var state = handed.isPresent() ? handed : store.read(tx -> journal.load(tx, lease.runId()));
        if (state.isEmpty() || state.get().status.isFinal()) {
            return Optional.empty();
        }
        var run = state.get();
        // Every log line written on behalf of this step says which run, step and subject it is about,
        // and with tracing on, the run's trace.
        var span = traces.step(run, lease);
        try (var ignored = MDC.putCloseable("run", run.id);
                var ignoredStep = MDC.putCloseable("step", lease.step());
                var ignoredSubject = MDC.putCloseable("subject", run.subject);
                var ignoredTrace = traces.enabled() ? MDC.putCloseable("trace_id", RunTraces.traceId(run.id)) : null;
                var ignoredSpan = span.makeCurrent()) {
            return execute(runner, lease, run, goOn);
        } finally {
            span.end();
        }
    }

    private Optional<Progress.Handed> execute(
            StepRunner runner, Lease lease, dev.aios.kernel.internal.run.RunState run, boolean goOn) {
        if (lease.kind() == WorkKind.COMPENSATE
                && run.status != dev.aios.kernel.RunStatus.COMPENSATING
                && run.blocks.values().stream().allMatch(b -> b.undo.isEmpty())) {
            return Optional.empty();
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
            return Optional.empty();
        }
        int allowed = StepOutcomes.options(playbook, lease.step())
                .retry()
                .orElse(dev.aios.api.RetryPolicy.DEFAULT)
                .maxAttempts();
        if (lease.kind() == WorkKind.STEP && WorkQueue.heldAgainst(run, lease) >= allowed) {
            // Earlier attempts were started but never ended: the worker died or hung each time.
            int started = lease.attempt() - 1;
            progress.fail(
                    lease,
                    "it was started " + started + " time" + (started == 1 ? "" : "s")
                            + " and no attempt finished;"
                            + " the process may be crashing or hanging on it");
            return Optional.empty();
        }
        Outcome outcome;
        long started = System.nanoTime();
        try {
            outcome = switch (lease.kind()) {
                case STEP -> runner.execute(playbook, step, run, lease);
                case TIMER -> runner.wake(step, lease);
                case TIMEOUT -> runner.giveUp(step);
                case COMPENSATE -> runner.undo(playbook, run, lease);
                case JOIN -> runner.join(playbook, step, run, lease);
                case ESCALATE -> throw new IllegalStateException("escalations are fired apart");
            };
        } catch (RuntimeException e) {
            outcome = new Outcome.Failed(Json.object(), "the kernel failed to execute the step: " + e, true);
        }
        if (lease.kind() == WorkKind.STEP || lease.kind() == WorkKind.COMPENSATE) {
            meters.stepEnded(run.playbook, step, lease.kind(), outcome, System.nanoTime() - started);
        }
        KernelTraces.ended(outcome);
        if (outcome instanceof Outcome.Call call) {
            traces.called(run.id, lease, call.playbook());
        }
        return recordDurably(lease, playbook, outcome, escalations.plan(lease, run, playbook, outcome), goOn);
    }

    /**
     * Fires a due timer in the unit that leased it with the other due items of its page, in a nested
     * unit so that a run that cannot be moved on here is rolled back alone; its timer then runs like
     * any item, and failures are reported the way they always were.
     */
    private Optional<Lease> fire(StepRunner runner, dev.aios.kernel.internal.store.Tx tx, Lease lease) {
        try {
            return store.write(nested -> fireIn(runner, nested, lease));
        } catch (RuntimeException e) {
            LOG.warn("the timer of {} could not fire with the others due; it runs on its own", lease, e);
            return Optional.of(lease);
        }
    }

    private Optional<Lease> fireIn(StepRunner runner, dev.aios.kernel.internal.store.Tx tx, Lease lease) {
        var state = journal.load(tx, lease.runId());
        if (state.isEmpty() || state.get().status.isFinal()) {
            return Optional.of(lease);
        }
        CompiledPlaybook playbook;
        CompiledStep step;
        try {
            playbook = playbooks.version(state.get().playbook, state.get().version);
            step = playbook.step(lease.step());
        } catch (RuntimeException e) {
            return Optional.of(lease);
        }
        var outcome = runner.wake(step, lease);
        if (!(outcome instanceof Outcome.Completed)) {
            return Optional.of(lease);
        }
        return progress.recordIn(tx, lease, playbook, outcome, Optional.empty(), !closing, false)
                .map(Progress.Handed::lease);
    }

    /**
     * Records an outcome, waiting out a database that cannot be written (full disk, read-only
     * file): the work done is kept in memory and recorded once writes succeed again, rather than
     * redone after the lease expires. Gives up when the kernel stops; the lease then brings the
     * step back after a restart.
     */
    private Optional<Progress.Handed> recordDurably(
            Lease lease,
            CompiledPlaybook playbook,
            Outcome outcome,
            Optional<java.time.Instant> escalateAt,
            boolean goOn) {
        long pause = 200;
        while (true) {
            try {
                return progress.record(lease, playbook, outcome, escalateAt, goOn && !closing);
            } catch (dev.aios.kernel.StorageException e) {
                if (closing || store.broken().isPresent()) {
                    throw e;
                }
                LOG.warn("cannot record the result of {} yet ({}); trying again", lease, e.getMessage());
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = Math.min(pause * 2, 5_000);
            }
        }
    }

    private volatile boolean closing;

    /** The runs awaiting events; tests reach it to interleave its passes. */
    Awaits awaits() {
        return awaits;
    }

    /** Why the database cannot be written, while that lasts. */
    public Optional<String> storageFailure() {
        return store.failing();
    }

    /**
     * Accepts an event: decides which playbooks it starts (their conditions evaluated here, not on
     * the writer), logs it and starts them in one write, then resumes the runs awaiting it.
     */
    public Accepted send(Event event) {
        EventLimits.check(event);
        checkAddressee(event);
        var routing = intake.route(event, 0);
        // On the embedded store this process alone makes runs wait, each at a step of a version it
        // loaded; on a shared one another node may have loaded a version this one has not.
        boolean awaited = config.database().isPresent() || playbooks.awaited(event.type());
        boolean expected = awaited && awaits.expect(event.id());
        try {
            // Whether a step waited for events of this type when the event was logged, asked in the
            // same write (null: not known). A step that begins waiting later takes the event itself:
            // its own catch-up reads the events since it began (see Progress).
            var waitedFor = new java.util.concurrent.atomic.AtomicReference<Boolean>();
            var logged = store.write(tx -> {
                waitedFor.set(null);
                if (awaited) {
                    // Asked before the event's rows are written, which take the question along.
                    tx.awaits().whetherWaitingFor(event.type(), waitedFor::set);
                }
                return intake.accept(tx, event, routing, config.clock().instant());
            });
            var accepted = logged.accepted();
            if (accepted.duplicate() || !awaited || Boolean.FALSE.equals(waitedFor.get())) {
                return accepted;
            }
            // The event is recorded: a request's write limit must not turn what follows into a failure.
            var within = dev.aios.kernel.WriteDeadline.remaining();
            var caughtUp =
                    dev.aios.kernel.WriteDeadline.suspended(() -> awaits.catchUp(event.type(), event.id(), within));
            var notes = new ArrayList<>(accepted.notes());
            notes.addAll(caughtUp.notes());
            return new Accepted(accepted.eventId(), false, accepted.started(), caughtUp.resumed(), notes);
        } finally {
            if (expected) {
                awaits.forget(event.id());
            }
        }
    }

    /** Refuses an event addressed ({@code to: agent/NAME}) to an agent without instances. */
    private void checkAddressee(Event event) {
        var to = event.data().path("to");
        if (!to.isTextual() || !to.asText().startsWith("agent/")) {
            return;
        }
        var agent = Mailboxes.Address.agentOf(event.data()).orElseThrow();
        if (playbooks.stateful(agent).isEmpty()) {
            var known = playbooks.statefulNames();
            throw new dev.aios.kernel.InvalidInputException("event " + event.id() + " is addressed to agent/" + agent
                    + ", which is not a stateful agent, so it has no instance to take the message; "
                    + (known.isEmpty()
                            ? "no stateful agents are registered"
                            : "the stateful agents are " + String.join(", ", known))
                    + ". Nothing was recorded.");
        }
    }

    /** Queues an event addressed to a stateful agent in its instance's mailbox, as the event is logged. */
    private void deliver(dev.aios.kernel.internal.store.Tx tx, Event event, java.time.Instant now) {
        var agent = Mailboxes.Address.agentOf(event.data());
        if (agent.isEmpty()) {
            return;
        }
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) event.data().deepCopy();
        body.remove("to");
        String from = event.source().startsWith("run:") ? event.source() : "event:" + event.source();
        mailboxes.deliver(tx, event.id(), agent.get(), event.subject(), from, event.type(), body, now, now);
    }

    /** The instances of stateful agents, of {@code agent} or of all. */
    public List<dev.aios.kernel.AgentInstance> instances(Optional<String> agent) {
        return instanceReads.instances(agent);
    }

    /** A stateful agent's instance for {@code subject}, with its state and newest {@code limit} messages. */
    public dev.aios.kernel.AgentInstanceView instance(String agent, String subject, int limit) {
        return instanceReads.instance(agent, subject, limit);
    }

    /** Starts a run of the active playbook {@code playbook} alone, with {@code event} as its trigger. */
    public Accepted startRun(String playbook, Event event) {
        EventLimits.check(event);
        var routing = intake.only(event, playbook);
        return store.write(
                        tx -> intake.accept(tx, event, routing, config.clock().instant()))
                .accepted();
    }

    /** The run once it has ended, or as it is when {@code wait} has passed. */
    public RunView awaitEnd(String runId, Duration wait) {
        var now = queries.run(runId);
        if (now.status().isFinal() || wait.isZero() || wait.isNegative()) {
            return now;
        }
        ends.await(runId, wait, () -> queries.run(runId).status().isFinal());
        return queries.run(runId);
    }

    public Page<RunSummary> runs(RunQuery query) {
        return queries.runs(query);
    }

    public Overview overview() {
        return queries.overview();
    }

    private java.util.Optional<RunView> runIfAny(String runId) {
        try {
            return java.util.Optional.of(queries.run(runId));
        } catch (dev.aios.kernel.NotFoundException e) {
            return java.util.Optional.empty();
        }
    }

    public RunView run(String runId) {
        return queries.run(runId);
    }

    public List<JournalRecord> journal(String runId) {
        return queries.journal(runId);
    }

    public Page<TaskView> tasks(TaskQuery query) {
        return queries.tasks(query);
    }

    public java.util.Map<String, Long> openTasksByKind() {
        return queries.openTasksByKind();
    }

    public List<JournalRecord> journal(String runId, long afterSeq, int limit) {
        return queries.journal(runId, afterSeq, limit);
    }

    public KernelHealth health() {
        return reports.health();
    }

    public Digest digest(java.time.Instant from) {
        return reports.digest(from);
    }

    public dev.aios.kernel.PlaybookGraph graph(String name, String version) {
        return Graphs.of(playbooks.version(name, version));
    }

    public java.util.Map<String, Long> runsPerVersion() {
        return reports.runsPerVersion();
    }

    public TaskView task(String taskId) {
        return queries.task(taskId);
    }

    /** Forgets a subject for real (see {@link Forgetting}). */
    public ForgetReport forget(String subject) {
        return forgetting.forget(subject);
    }

    /** Whether a subject was forgotten, looked up by its pseudonym. */
    public dev.aios.kernel.ForgetCheck forgotten(String subject) {
        return forgetting.check(subject);
    }

    public TaskView answer(String taskId, TaskAnswer answer, Optional<JsonNode> output, String comment) {
        output.ifPresent(json -> EventLimits.checkNesting("the output", json));
        desk.answer(taskId, answer, output, comment);
        return task(taskId);
    }

    public Optional<String> check(String taskId, JsonNode output) {
        return desk.check(taskId, output);
    }

    /**
     * Replays finished run {@code runId} against another version of its playbook: {@code against} is
     * {@code NAME@VERSION} or just the version.
     */
    public dev.aios.kernel.WhatIfReport whatIf(String runId, String against) {
        var version =
                against.contains("@") ? WhatIf.reference(against).getValue().orElseThrow() : against;
        var name = against.contains("@")
                ? WhatIf.reference(against).getKey()
                : queries.run(runId).playbook();
        return whatIf.replay(runId, playbooks.version(name, version));
    }

    /** Replays finished run {@code runId} against a version of its playbook given as YAML text. */
    public dev.aios.kernel.WhatIfReport whatIfYaml(String runId, String origin, String yaml) {
        return whatIf.replay(runId, playbooks.preview(origin, yaml));
    }

    /**
     * Compares two versions of a playbook on the last {@code last} finished runs: {@code from} is
     * {@code NAME} (its active version, and runs of any version) or {@code NAME@VERSION} (runs of that
     * version); {@code to} is {@code NAME@VERSION}, or YAML text when {@code yaml} is present.
     */
    public dev.aios.kernel.PlaybookDiff diff(String from, String to, Optional<String> yaml, int last) {
        var source = WhatIf.reference(from);
        var fromVersion = source.getValue().isPresent()
                ? playbooks.version(source.getKey(), source.getValue().get())
                : playbooks.active(source.getKey());
        dev.aios.kernel.internal.playbook.CompiledPlaybook toVersion;
        if (yaml.isPresent()) {
            toVersion = playbooks.preview(to, yaml.get());
        } else {
            var target = WhatIf.reference(to);
            toVersion = target.getValue().isPresent()
                    ? playbooks.version(target.getKey(), target.getValue().get())
                    : playbooks.active(target.getKey());
        }
        return whatIf.diff(fromVersion, toVersion, source.getValue().isPresent(), last);
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

    /** Loads the playbooks again because an operator asked: recorded in the audit log. */
    public LoadReport reloadPlaybooksFor(String actor) {
        return reload(Optional.of(actor));
    }

    /** Loads the bundled, directory and Java-built playbooks again. */
    public LoadReport reloadPlaybooks() {
        return reload(Optional.empty());
    }

    private synchronized LoadReport reload(Optional<String> by) {
        var inputs = playbookInputs(config, Thread.currentThread().getContextClassLoader());
        var report = playbooks.load(inputs, by);
        report.refused().forEach(p -> LOG.warn("playbook refused: {}", p));
        host.scheduler.ifPresent(scheduler -> scheduler.scheduled(playbooks.scheduled()));
        return report;
    }

    /** The bundled playbooks (found through {@code loader}), the directory's and the Java-built ones. */
    private static List<Playbooks.Input> playbookInputs(EngineConfig config, ClassLoader loader) {
        var inputs = new ArrayList<Playbooks.Input>();
        if (config.discoverPlaybooks()) {
            for (var source : ServiceLoader.load(PlaybookSource.class, loader)) {
                source.playbooks().forEach(t -> inputs.add(new Playbooks.Input.Yaml(t.origin(), t.yaml())));
            }
        }
        config.playbookDirectory().ifPresent(dir -> inputs.addAll(PlaybookWatcher.read(dir)));
        config.built().forEach(p -> inputs.add(new Playbooks.Input.Built(p)));
        return inputs;
    }

    public LoadReport lastLoad() {
        return playbooks.lastLoad();
    }

    public List<AgentInfo> agents() {
        var all = new ArrayList<>(agents.infos());
        all.addAll(playbooks.declaredInfos());
        all.sort(java.util.Comparator.comparing(AgentInfo::name));
        return all;
    }

    /** Where the master key was found: the variable's name, the keyring's name or the key file. */
    public String masterKeyOrigin() {
        return masterKeyOrigin;
    }

    /** The secrets kept under the master key. */
    public SecretStore secrets() {
        return secrets;
    }

    /** The data directory's API tokens. */
    public TokenStore tokens() {
        return tokens;
    }

    /** The audit log of operator and admin actions. */
    public AuditTrail audit() {
        return audit;
    }

    /** The admin token file written at this start, when the data directory had no token yet. */
    public Optional<java.nio.file.Path> adminTokenFile() {
        return adminTokenFile;
    }

    /** The journal, for verification. */
    public RunJournal journal() {
        return journal;
    }

    /** The store, for verification and statistics. */
    public Store store() {
        return store;
    }

    /** Wakes the dispatcher of steps, not that of the agents' instances. */
    private void wakeSteps() {
        dispatcher.wake();
    }

    /** Wakes the dispatcher, e.g. after a test advanced its clock. */
    public void wake() {
        dispatcher.wake();
        instances.wake();
    }

    @Override
    public void close() {
        closing = true;
        heartbeat.shutdownNow();
        watcher.close();
        awaits.close();
        dispatcher.stop(Duration.ofSeconds(10));
        instances.stop(Duration.ofSeconds(10));
        calls.shutdownNow();
        traces.close();
        config.extensions().forEach(Engine::closeQuietly);
        if (startedAt != null && store.broken().isEmpty()) {
            try {
                // Stopped, not silent: the other nodes (and the admin commands) need not wait for it.
                store.write(tx -> {
                    tx.nodes().left(node);
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.debug("the node's record stays until it is silent long enough", e);
            }
        }
        feed.close();
        store.close();
    }
}
