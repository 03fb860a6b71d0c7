package dev.aios.kernel.internal.engine;

import dev.aios.api.Event;
import dev.aios.kernel.Accepted;
import dev.aios.kernel.ForgetReport;
import dev.aios.kernel.internal.Json;
import dev.aios.kernel.internal.journal.FeedHub;
import dev.aios.kernel.internal.journal.RunJournal;
import dev.aios.kernel.internal.journal.SubjectKeys;
import dev.aios.kernel.internal.store.EventStore.StoredEvent;
import dev.aios.kernel.internal.store.Store;
import dev.aios.kernel.spi.AgentFactory;
import dev.aios.kernel.spi.Expressions;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.Feed;
import dev.aios.kernel.spi.FeedItem;
import dev.aios.kernel.spi.FeedListener;
import dev.aios.kernel.spi.ForgetGuard;
import dev.aios.kernel.spi.ForgetListener;
import dev.aios.kernel.spi.StepPolicy;
import dev.aios.kernel.spi.StepService;
import dev.aios.kernel.spi.Storage;
import dev.aios.kernel.spi.SubjectCipher;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** What the kernel gives extensions, and what they register with it. */
final class Host implements ExtensionHost, Feed {
    private final Store store;
    private final RunJournal journal;
    private final SubjectKeys keys;
    private final FeedHub feed;
    private final InstantSource clock;
    private final Path dataDirectory;
    private final Services services;
    private final dev.aios.kernel.Secrets secrets;
    private final dev.aios.kernel.spi.Audit audit;
    private final dev.aios.kernel.internal.agent.AgentRegistry agents;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    /** Due work beyond this many items a worker's place is a backlog ({@link #backlogged}). */
    private static final int BACKLOG_PER_PLACE = 4;

    private final long backlog;
    private volatile io.opentelemetry.api.trace.Tracer tracer =
            io.opentelemetry.api.OpenTelemetry.noop().getTracer("dev.aios.kernel");
    final Map<String, AgentFactory> factories = new ConcurrentHashMap<>();
    volatile java.util.Optional<dev.aios.kernel.spi.Scheduler> scheduler = java.util.Optional.empty();
    volatile java.util.Optional<dev.aios.kernel.spi.BatchWindows> windows = java.util.Optional.empty();
    final List<ForgetListener> forgetListeners = new CopyOnWriteArrayList<>();
    final List<ForgetGuard> forgetGuards = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Function<String, ForgetReport> forgetting;
    private volatile java.util.function.Function<Event, Accepted> sending;
    private volatile java.util.function.BiFunction<String, Event, Accepted> starting;
    private final Map<List<String>, Expressions> expressions = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicReference<StepPolicy> policy =
            new java.util.concurrent.atomic.AtomicReference<>();

    Host(
            Store store,
            RunJournal journal,
            SubjectKeys keys,
            FeedHub feed,
            InstantSource clock,
            Path dataDirectory,
            Services services,
            dev.aios.kernel.internal.agent.AgentRegistry agents,
            io.micrometer.core.instrument.MeterRegistry meters,
            dev.aios.kernel.Secrets secrets,
            dev.aios.kernel.spi.Audit audit,
            int concurrency) {
        this.audit = audit;
        this.backlog = (long) BACKLOG_PER_PLACE * concurrency;
        this.agents = agents;
        this.secrets = secrets;
        this.store = store;
        this.journal = journal;
        this.keys = keys;
        this.feed = feed;
        this.clock = clock;
        this.dataDirectory = dataDirectory;
        this.services = services;
        this.meters = meters;
    }

    @Override
    public io.micrometer.core.instrument.MeterRegistry meters() {
        return meters;
    }

    @Override
    public boolean backlogged() {
        return store.read(tx -> tx.work().queue(clock.instant()).due()) > backlog;
    }

    @Override
    public Storage storage() {
        return store.extensions();
    }

    @Override
    public SubjectCipher cipher() {
        return keys;
    }

    @Override
    public dev.aios.kernel.Secrets secrets() {
        return secrets;
    }

    @Override
    public dev.aios.kernel.spi.Audit audit() {
        return audit;
    }

    @Override
    public Feed feed() {
        return this;
    }

    @Override
    public InstantSource clock() {
        return clock;
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public <T> void service(StepService<T> service) {
        services.add(service);
    }

    @Override
    public void agent(dev.aios.api.JsonAgent agent) {
        agents.register(agent);
    }

    @Override
    public void agentFactory(AgentFactory factory) {
        var taken = factories.putIfAbsent(factory.kind(), factory);
        if (taken != null) {
            throw new IllegalArgumentException("two extensions build agents of kind '" + factory.kind() + "'");
        }
    }

    @Override
    public void listen(FeedListener listener) {
        feed.listen(listener);
    }

    @Override
    public void onForget(ForgetListener listener) {
        forgetListeners.add(listener);
    }

    @Override
    public void guardForget(ForgetGuard guard) {
        forgetGuards.add(guard);
    }

    private volatile java.util.function.Consumer<dev.aios.api.Playbook> loading;

    void loadWith(java.util.function.Consumer<dev.aios.api.Playbook> loading) {
        this.loading = loading;
    }

    @Override
    public void playbook(dev.aios.api.Playbook playbook) {
        loading.accept(java.util.Objects.requireNonNull(playbook, "playbook"));
    }

    @Override
    public void stepPolicy(StepPolicy policy) {
        java.util.Objects.requireNonNull(policy, "policy");
        if (!this.policy.compareAndSet(null, policy)) {
            throw new IllegalArgumentException("two extensions set a step policy: "
                    + this.policy.get().getClass().getName() + " and "
                    + policy.getClass().getName());
        }
    }

    /** The central policy, if an extension set one. */
    java.util.Optional<StepPolicy> policy() {
        return java.util.Optional.ofNullable(policy.get());
    }

    @Override
    public ForgetReport forget(String subject) {
        return forgetting.apply(subject);
    }

    void intakeWith(
            java.util.function.Function<Event, Accepted> sending,
            java.util.function.BiFunction<String, Event, Accepted> starting) {
        this.sending = sending;
        this.starting = starting;
    }

    @Override
    public Accepted send(Event event) {
        return sending.apply(event);
    }

    @Override
    public Accepted startRun(String playbook, Event event) {
        return starting.apply(playbook, event);
    }

    private volatile java.util.function.BooleanSupplier leading = () -> true;

    void leadWith(java.util.function.BooleanSupplier leading) {
        this.leading = leading;
    }

    @Override
    public boolean leads() {
        return leading.getAsBoolean();
    }

    @Override
    public synchronized void scheduler(dev.aios.kernel.spi.Scheduler scheduler) {
        if (this.scheduler.isPresent()) {
            throw new IllegalArgumentException("two extensions offer a scheduler");
        }
        this.scheduler = java.util.Optional.of(scheduler);
    }

    @Override
    public synchronized void windows(dev.aios.kernel.spi.BatchWindows windows) {
        if (this.windows.isPresent()) {
            throw new IllegalArgumentException("two extensions define batch windows");
        }
        this.windows = java.util.Optional.of(windows);
    }

    @Override
    public Expressions expressions(List<String> variables) {
        return expressions.computeIfAbsent(List.copyOf(variables), CelExpressions::new);
    }

    void forgetWith(java.util.function.Function<String, ForgetReport> forgetting) {
        this.forgetting = forgetting;
    }

    void traceWith(io.opentelemetry.api.trace.Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public io.opentelemetry.api.trace.Tracer tracer() {
        return tracer;
    }

    @Override
    public List<FeedItem> after(long eventSeq, long journalPosition, int limit) {
        int bounded = Math.max(1, Math.min(limit, 10_000));
        return store.read(tx -> {
            var items = new ArrayList<FeedItem>();
            for (var event : tx.events().after(eventSeq, bounded)) {
                items.add(item(event));
            }
            for (var positioned : tx.journal().after(journalPosition, bounded)) {
                var e = positioned.entry();
                items.add(new FeedItem(
                        "journal",
                        positioned.position(),
                        e.runId(),
                        e.type(),
                        e.subject(),
                        e.at(),
                        opened(e.subject(), e.codec(), e.payload())));
            }
            items.sort(Comparator.comparing(FeedItem::at).thenComparing(FeedItem::source));
            return items.size() > bounded ? List.copyOf(items.subList(0, bounded)) : items;
        });
    }

    private FeedItem item(StoredEvent event) {
        var json = Json.object();
        json.put("id", event.id());
        json.put("type", event.type());
        json.put("subject", event.subject());
        json.put("source", event.source());
        json.put("time", event.time().toString());
        json.set("data", opened(event.subject(), event.codec(), event.data()));
        return new FeedItem("event", event.seq(), "", event.type(), event.subject(), event.receivedAt(), json);
    }

    private com.fasterxml.jackson.databind.JsonNode opened(String subject, String codec, byte[] payload) {
        try {
            return Json.tree(journal.codec().decode(subject, codec, payload));
        } catch (SubjectCipher.ForgottenException e) {
            return Forgetting.FORGOTTEN.deepCopy();
        }
    }
}
