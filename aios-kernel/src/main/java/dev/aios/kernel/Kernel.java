package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Agent;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import dev.aios.kernel.internal.engine.Audit;
import dev.aios.kernel.internal.engine.Engine;
import dev.aios.kernel.internal.engine.EngineConfig;
import dev.aios.kernel.internal.engine.TaskAnswer;
import dev.aios.kernel.spi.Extension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The aios kernel: accepts events, runs playbooks durably, keeps the operator's inbox. One kernel
 * owns one data directory; a second one on the same directory is refused.
 *
 * <pre>{@code
 * try (var kernel = Kernel.builder().dataDirectory(Path.of("data")).discoverAgents().build()) {
 *     kernel.start();
 *     kernel.send(event);
 * }
 * }</pre>
 */
public final class Kernel implements AutoCloseable {
    private final Path dataDirectory;
    private final Engine engine;

    private final Optional<String> database;

    private Kernel(Path dataDirectory, Optional<String> database, Engine engine) {
        this.dataDirectory = dataDirectory;
        this.database = database.map(url -> url.replaceAll("\\?.*", ""));
        this.engine = engine;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the workers and timers. Runs left in flight by an earlier process resume. */
    public void start() {
        engine.start();
    }

    /** Stops taking work, lets running steps finish for a moment, and closes the store. */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Accepts an event: starts the runs of every active playbook it triggers and resumes the runs
     * awaiting it. An event whose id was accepted before changes nothing.
     */
    public Accepted send(Event event) {
        return engine.send(event);
    }

    /**
     * Starts a run of the active playbook {@code playbook} alone, with {@code event} as its trigger,
     * whatever the playbook's trigger says: an invocation. The event is logged like any other but
     * starts no other playbook and resumes no waiting run. Sent again with the same id, it starts
     * nothing and answers with the run the first one started (in {@link Accepted#started}).
     *
     * @throws NotFoundException when no active playbook has that name
     */
    public Accepted startRun(String playbook, Event event) {
        return engine.startRun(playbook, event);
    }

    /**
     * Waits until the run has ended (completed, failed, cancelled or compensated) or {@code wait}
     * has passed, and returns it as it is then.
     *
     * @throws NotFoundException when there is no such run
     */
    public RunView awaitEnd(String runId, Duration wait) {
        return engine.awaitEnd(runId, wait);
    }

    /** Runs matching {@code query}, newest first. */
    public List<RunSummary> runs(RunQuery query) {
        return engine.runs(query).items();
    }

    /** One page of the runs matching {@code query}, newest first, with the cursor of the next. */
    public Page<RunSummary> runPage(RunQuery query) {
        return engine.runs(query);
    }

    /** Runs by status and open tasks, counted. */
    public Overview overview() {
        return engine.overview();
    }

    /** One run with its steps and tasks. */
    public RunView run(String runId) {
        return engine.run(runId);
    }

    /**
     * The instances of stateful agents, one per agent and subject, with their mailbox depth and last
     * message; of {@code agent} alone when given.
     */
    public java.util.List<AgentInstance> agentInstances(java.util.Optional<String> agent) {
        return engine.instances(agent);
    }

    /**
     * A stateful agent's instance for {@code subject}: its state and its newest {@code limit}
     * messages, queued and handled.
     *
     * @throws NotFoundException when the agent has no instance for the subject
     */
    public AgentInstanceView agentInstance(String agent, String subject, int limit) {
        return engine.instance(agent, subject, limit);
    }

    /** A run's journal, oldest first. */
    public List<JournalRecord> journal(String runId) {
        return engine.journal(runId);
    }

    /** At most {@code limit} of a run's journal entries after entry {@code afterSeq} (0 from the first), oldest first. */
    public List<JournalRecord> journal(String runId, long afterSeq, int limit) {
        return engine.journal(runId, afterSeq, limit);
    }

    /** Recomputes a run's checksum chain and reports entries missing or altered. */
    public ChainReport verifyChain(String runId) {
        return new Audit(engine.journal()).chain(engine.store(), runId);
    }

    /** Operator tasks, newest first: only open ones unless {@code all}; at most {@value TaskQuery#DEFAULT_LIMIT}. */
    public List<TaskView> tasks(boolean all) {
        var query = TaskQuery.open();
        return engine.tasks(all ? query.includingClosed() : query).items();
    }

    /** One page of the tasks matching {@code query}, newest first, with the cursor of the next. */
    public Page<TaskView> taskPage(TaskQuery query) {
        return engine.tasks(query);
    }

    /** Open tasks counted by kind, e.g. {@code review}, {@code dead-letter}. */
    public java.util.Map<String, Long> openTasksByKind() {
        return engine.openTasksByKind();
    }

    /**
     * The aios processes working on this kernel's store that said lately that they are alive (one
     * with SQLite; each node sharing a PostgreSQL database), with the work each holds.
     */
    public List<NodeInfo> nodes() {
        return engine.nodes();
    }

    /** How work is flowing: queue depth and lag, waits, dead letters, circuit breakers. */
    public KernelHealth health() {
        return engine.health();
    }

    /** What happened since {@code from}: runs, answered tasks, failures by cause, the longest runs. */
    public Digest digest(java.time.Instant from) {
        return engine.digest(from);
    }

    /** A loaded playbook version's steps and the ways between them. */
    public PlaybookGraph playbookGraph(String name, String version) {
        return engine.graph(name, version);
    }

    /** How many runs each playbook version has, by {@code name@version}. */
    public java.util.Map<String, Long> runsPerVersion() {
        return engine.runsPerVersion();
    }

    /** One task. */
    public TaskView task(String taskId) {
        return engine.task(taskId);
    }

    /**
     * Approves an open task; the run continues. For a review of an agent's output, {@code edited}
     * replaces the output (it is validated against the agent's contract).
     */
    public TaskView approve(String taskId, Optional<JsonNode> edited, String comment) {
        return engine.answer(taskId, TaskAnswer.APPROVE, edited, comment);
    }

    /**
     * Rejects an open task. An approval step takes its rejection path if it has one; otherwise the
     * run's completed steps are undone (compensated) where they declare how, or the run fails as
     * rejected. Rejecting a parked step cancels the run without undoing anything.
     */
    public TaskView reject(String taskId, String reason) {
        return engine.answer(taskId, TaskAnswer.REJECT, Optional.empty(), reason);
    }

    /**
     * Checks an output the operator means to approve or skip with against the contract of the agent
     * whose step the open task belongs to, without answering: empty when it fits, else what is wrong.
     */
    public Optional<String> checkAnswer(String taskId, JsonNode output) {
        return engine.check(taskId, output);
    }

    /** Tries a parked step (or a failed undo) again, with the same idempotency key. */
    public TaskView retry(String taskId, String comment) {
        return engine.answer(taskId, TaskAnswer.RETRY, Optional.empty(), comment);
    }

    /**
     * Goes on past a parked step as if it had produced {@code output} (validated against the
     * agent's contract), or past a failed undo.
     */
    public TaskView skip(String taskId, Optional<JsonNode> output, String comment) {
        return engine.answer(taskId, TaskAnswer.SKIP, output, comment);
    }

    /** Answers a parked step by undoing the run's completed steps in reverse order. */
    public TaskView compensate(String taskId, String comment) {
        return engine.answer(taskId, TaskAnswer.COMPENSATE, Optional.empty(), comment);
    }

    /**
     * Cancels a run that has not ended; its open tasks are closed. Completed steps that declare a
     * compensation are undone in reverse order first, and the run then ends compensated.
     */
    public RunSummary cancel(String runId, String reason) {
        return engine.cancel(runId, reason);
    }

    /** Every loaded playbook version, active ones first. */
    public List<PlaybookInfo> playbooks() {
        return engine.playbooks();
    }

    /** Loads a Java-built playbook as the active version of its name. */
    public PlaybookInfo register(Playbook playbook) {
        return engine.register(playbook);
    }

    /**
     * Loads the playbook directory again: changed files become new versions. Recorded in the audit
     * log as done by the current thread's {@link Actor}.
     */
    public LoadReport reloadPlaybooks() {
        return engine.reloadPlaybooksFor(Actor.current());
    }

    /** The API tokens of this data directory. */
    public Tokens tokens() {
        return new Tokens(engine.tokens());
    }

    /** Secrets kept encrypted under the master key, for connectors and settings. */
    public Secrets secrets() {
        return engine.secrets();
    }

    /** The hash-chained audit log of operator and admin actions. */
    public AuditLog audit() {
        return new AuditLog(engine.audit(), engine.store());
    }

    /**
     * The file the first admin token was written to, when this start found a data directory
     * without any token (a fresh one): {@code admin.token} in it, readable by its owner only.
     */
    public Optional<Path> adminTokenFile() {
        return engine.adminTokenFile();
    }

    /** The name of the admin token file in a data directory. */
    public static final String ADMIN_TOKEN_FILE = dev.aios.kernel.internal.access.AdminToken.FILE;

    /** What the last load of playbooks did. */
    public LoadReport lastLoad() {
        return engine.lastLoad();
    }

    /** Every registered agent's contract, by name. */
    public List<AgentInfo> agents() {
        return engine.agents();
    }

    /**
     * Checks the journal's checksum chains and the derived tables against a replay of the journal,
     * while the kernel runs.
     */
    public VerifyReport verify() {
        return new Audit(engine.journal()).verify(engine.store());
    }

    /**
     * Re-folds a run from its journal (from its newest valid snapshot unless {@code full}) and
     * reports any divergence from its stored state.
     */
    public ReplayReport replay(String runId, boolean full) {
        return new Audit(engine.journal()).replay(engine.store(), runId, full);
    }

    /**
     * What-if replay: feeds finished run {@code runId}'s recorded trigger, agent outputs, events and
     * answers to another version of its playbook ({@code NAME@VERSION}, or just the version), calling
     * no agent or connector, and reports where that version would behave differently.
     */
    public WhatIfReport replay(String runId, String against) {
        return engine.whatIf(runId, against);
    }

    /** What-if replay against a version given as YAML text (not loaded), e.g. an edited file. */
    public WhatIfReport replayAgainstYaml(String runId, String origin, String yaml) {
        return engine.whatIfYaml(runId, origin, yaml);
    }

    /**
     * Compares two versions of a playbook: the steps that differ, and which of the last {@code last}
     * finished runs would behave differently under {@code to}. {@code from} is {@code NAME} (its active
     * version; runs of any version) or {@code NAME@VERSION} (runs of that version only); {@code to} is
     * {@code NAME@VERSION}.
     */
    public PlaybookDiff diff(String from, String to, int last) {
        return engine.diff(from, to, Optional.empty(), last);
    }

    /** As {@link #diff(String, String, int)}, against a version given as YAML text from {@code origin}. */
    public PlaybookDiff diffAgainstYaml(String from, String origin, String yaml, int last) {
        return engine.diff(from, origin, Optional.of(yaml), last);
    }

    /**
     * Forgets everything about {@code subject}: runs about it still going are cancelled, its
     * encryption keys are destroyed so that no event, journal entry or memory about it can be read
     * again (the journal's checksums still verify), and the copies in derived tables are emptied.
     */
    public ForgetReport forget(String subject) {
        return engine.forget(subject);
    }

    /**
     * Whether {@code subject} was forgotten, and what is filed under the pseudonym that replaced its
     * name: the name itself is kept nowhere, so it is looked up by its keyed pseudonym.
     */
    public ForgetCheck forgotten(String subject) {
        return engine.forgotten(subject);
    }

    /** Wakes the workers now, e.g. after a test advanced its clock past a timer. */
    public void wake() {
        engine.wake();
    }

    /** The directory holding the database (with PostgreSQL: the master key and the admin token). */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Where the master key was found: {@code AIOS_MASTER_KEY}, the OS keyring (e.g. "the Secret
     * Service (secret-tool)") or the key file's path. Never the key.
     */
    public String masterKeyOrigin() {
        return engine.masterKeyOrigin();
    }

    /** The PostgreSQL database the kernel keeps its tables in (without credentials); empty with SQLite. */
    public Optional<String> database() {
        return database;
    }

    /** Configures and builds a {@link Kernel}. */
    public static final class Builder {
        private Path dataDirectory;
        private InstantSource clock = InstantSource.system();
        private final List<Agent<?, ?>> agents = new ArrayList<>();
        private boolean discoverAgents;
        private final List<Playbook> playbooks = new ArrayList<>();
        private Optional<Path> playbookDirectory = Optional.empty();
        private boolean discoverPlaybooks;
        private int concurrency = 64;
        private Duration pollInterval = Duration.ofMillis(200);
        private final Map<String, ConnectorPolicy> connectors = new HashMap<>();
        private final List<Extension> extensions = new ArrayList<>();
        private java.util.function.Consumer<String> whenBroken = reason -> {};
        private Limits limits = Limits.DEFAULT;
        private io.micrometer.core.instrument.MeterRegistry meters;
        private Optional<String> database = Optional.empty();
        private io.opentelemetry.api.OpenTelemetry openTelemetry = io.opentelemetry.api.OpenTelemetry.noop();
        private MasterKeySource masterKey;

        private Builder() {}

        /**
         * Keeps the kernel's tables in the PostgreSQL database at {@code jdbcUrl} (e.g. {@code
         * jdbc:postgresql://db.example.com/aios}) instead of the SQLite file in the data directory,
         * which still holds the master key and the admin token. Credentials come from the URL or
         * from {@code AIOS_DB_USER} and {@code AIOS_DB_PASSWORD}.
         */
        public Builder database(String jdbcUrl) {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
                throw new InvalidInputException("a database is a jdbc:postgresql: URL, e.g."
                        + " jdbc:postgresql://localhost/aios; was " + jdbcUrl.replaceAll("\\?.*", ""));
            }
            this.database = Optional.of(jdbcUrl);
            return this;
        }

        /** Where the database lives (created if missing). Required. */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The clock for timers, leases and timestamps; the system clock by default. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Registers an agent. */
        public Builder agent(Agent<?, ?> agent) {
            agents.add(Objects.requireNonNull(agent, "agent"));
            return this;
        }

        /** Registers every agent found by {@link java.util.ServiceLoader} on the class path. */
        public Builder discoverAgents() {
            this.discoverAgents = true;
            return this;
        }

        /** Loads a Java-built playbook. */
        public Builder playbook(Playbook playbook) {
            playbooks.add(Objects.requireNonNull(playbook, "playbook"));
            return this;
        }

        /** Loads {@code *.yaml} and {@code *.yml} playbooks from this directory (if it exists) and watches it. */
        public Builder playbookDirectory(Path directory) {
            this.playbookDirectory = Optional.of(directory);
            return this;
        }

        /** Loads the playbooks of every {@link dev.aios.api.spi.PlaybookSource} on the class path. */
        public Builder discoverPlaybooks() {
            this.discoverPlaybooks = true;
            return this;
        }

        /** How many steps may execute at once; 64 by default. */
        public Builder concurrency(int steps) {
            if (steps < 1 || steps > 10_000) {
                throw new IllegalArgumentException("concurrency must be between 1 and 10000, was " + steps);
            }
            this.concurrency = steps;
            return this;
        }

        /** How often idle workers look for due work; 200 ms by default. */
        public Builder pollInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive, was " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Protects the outside system behind effects of {@code connector} ({@code *} for every
         * connector without its own policy); {@link ConnectorPolicy#DEFAULT} otherwise.
         */
        public Builder connector(String connector, ConnectorPolicy policy) {
            connectors.put(Objects.requireNonNull(connector, "connector"), Objects.requireNonNull(policy, "policy"));
            return this;
        }

        /** Plugs in a module such as memory or the model gateway; extensions are attached in order. */
        public Builder extension(Extension extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        /**
         * What to do, once, when the kernel cannot go on because its writer stopped (e.g. it failed
         * twice in a row outside any write): nothing more can be recorded, and {@link Kernel#overview()}
         * reports the reason as a storage failure. A server exits; the action runs on a kernel
         * thread and gets the reason. Nothing is done by default.
         */
        public Builder whenBroken(java.util.function.Consumer<String> action) {
            this.whenBroken = Objects.requireNonNull(action, "action");
            return this;
        }

        /** How far one input may go; {@link Limits#DEFAULT} by default. */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Where the kernel and its extensions record metrics (commits, steps, breakers, model calls,
         * recall); none are recorded by default.
         */
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
            this.meters = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /**
         * Where the kernel and its extensions send spans: a trace per run with its steps, model calls
         * and connector calls (see {@link RunTraces}, whose id generator the SDK's tracer provider
         * should take); nothing is traced by default.
         */
        public Builder openTelemetry(io.opentelemetry.api.OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
            return this;
        }

        /**
         * Where the master key is found, and created on first start (see {@link MasterKeySource});
         * {@link MasterKeySource#system()} by default.
         */
        public Builder masterKey(MasterKeySource source) {
            this.masterKey = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Opens the store (migrating it), registers agents and loads playbooks. */
        public Kernel build() {
            if (dataDirectory == null) {
                throw new IllegalArgumentException("a kernel needs a data directory");
            }
            // Every time the kernel records is to the millisecond, the journal's precision.
            InstantSource source = clock;
            InstantSource millis = () -> source.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            var config = new EngineConfig(
                    dataDirectory,
                    millis,
                    List.copyOf(agents),
                    discoverAgents,
                    new CopyOnWriteArrayList<>(playbooks),
                    playbookDirectory,
                    discoverPlaybooks,
                    concurrency,
                    pollInterval,
                    Map.copyOf(connectors),
                    List.copyOf(extensions),
                    whenBroken,
                    limits,
                    meters != null ? meters : new io.micrometer.core.instrument.composite.CompositeMeterRegistry(),
                    openTelemetry,
                    database,
                    masterKey != null ? masterKey : MasterKeySource.system());
            return new Kernel(dataDirectory, database, Engine.open(config));
        }
    }
}
