package dev.aios.server.internal.metrics;

import com.sun.management.OperatingSystemMXBean;
import dev.aios.api.MemoryKind;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.Overview;
import dev.aios.kernel.RunStatus;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemoryStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The metrics of a running aios, in the Prometheus exposition format: what the kernel, memory and
 * the model gateway record as things happen, the counts they keep (runs by status, open tasks, the
 * work queue, memory's index and embedding queue) read through their public overview once per
 * scrape, and the JVM's own.
 */
public final class Metrics implements AutoCloseable {
    /** The task kind of a parked step. */
    private static final String DEAD_LETTER = "dead-letter";
    /** Every kind of operator task, so that each has a series even while none is open. */
    private static final java.util.List<String> TASK_KINDS =
            java.util.List.of("approval", "review", "draft", DEAD_LETTER, "compensation");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final InstantSource clock;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** The snapshots the meters read: Micrometer holds them only weakly. */
    private final java.util.List<Snapshot<?>> held = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Metrics for the kernel and its extensions to record in; the JVM's own come with {@link
     * #watchJvm()}.
     */
    public Metrics(InstantSource clock) {
        this.clock = clock;
        registry.config().meterFilter(PROMETHEUS_NAMES);
    }

    /**
     * Shows the JVM's and the process's own metrics: memory, collections, threads, classes, CPU,
     * uptime, open files. {@code aios up} binds them once it answers requests: reading the JVM's
     * management beans for the first time is work that {@code /health} need not wait for.
     */
    public void watchJvm() {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, bean -> bean.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time the aios process used")
                    .register(registry);
        }
        new FileDescriptorMetrics().bindTo(registry);
    }

    /**
     * Two of Micrometer's own names that Prometheus's conventions reject: CPU time in nanoseconds
     * (Prometheus wants seconds: {@code process_cpu_seconds_total} is bound instead) and a count
     * that is not a histogram's yet ends in {@code _count}.
     */
    private static final MeterFilter PROMETHEUS_NAMES = new MeterFilter() {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
        }
    };

    /** Where the kernel and its extensions record; give it to {@link Kernel.Builder#meterRegistry}. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Shows the kernel's counts: runs by status, open tasks by kind and age, the work queue. */
    public void watch(Kernel kernel) {
        var overview = new Snapshot<>(kernel::overview);
        held.add(overview);
        for (var status : RunStatus.values()) {
            gauge("aios.runs", "Runs by status", overview, o -> o.runs().get(status), "status", status.wire());
        }
        FunctionCounter.builder("aios.writer.commits", overview, s -> s.get().commits())
                .description("Transactions the writer committed since aios started")
                .register(registry);
        FunctionCounter.builder("aios.writer.units", overview, s -> s.get().writeUnits())
                .description("Units of work those transactions carried")
                .register(registry);
        Gauge.builder(
                        "aios.storage.writable",
                        overview,
                        s -> s.get().storageFailure().isPresent() ? 0 : 1)
                .description("1 while the database can be written; 0 while nothing new is accepted")
                .register(registry);
        gauge("aios.queue.due", "Work items due and not yet taken by a worker", overview, o -> o.queue()
                .due());
        gauge("aios.queue.leased", "Work items a worker holds now", overview, o -> o.queue()
                .leased());
        gauge("aios.queue.scheduled", "Work items scheduled for later (timers, backoff)", overview, o -> o.queue()
                .later());
        gauge(
                "aios.queue.lag.seconds",
                "How long the longest-waiting due work item has been due",
                overview,
                o -> o.queue().oldestDue().map(this::age).orElse(0.0));
        gauge(
                "aios.dead.letters",
                "Steps parked after their retries ran out, waiting for the operator",
                overview,
                o -> tasks(o, DEAD_LETTER).open());
        for (var kind : TASK_KINDS) {
            gauge(
                    "aios.tasks.open",
                    "Open operator tasks by kind",
                    overview,
                    o -> tasks(o, kind).open(),
                    "kind",
                    kind);
            gauge(
                    "aios.tasks.oldest.age.seconds",
                    "Age of the oldest open task of a kind; 0 when none is open",
                    overview,
                    o -> {
                        var count = tasks(o, kind);
                        return count.open() == 0 ? 0 : age(count.oldest());
                    },
                    "kind",
                    kind);
        }
    }

    /** Shows memory's sizes: the index, the embedding queue, items per tier. */
    public void watch(MemoryExtension memory) {
        var stats = new Snapshot<>(memory::stats);
        held.add(stats);
        gauge("aios.memory.index.chunks", "Chunks in the memory index", stats, s -> s.index()
                .chunks());
        gauge("aios.memory.index.bytes", "Size of the memory index on disk", stats, s -> s.index()
                .bytes());
        gauge("aios.memory.embedding.queue", "Chunks waiting to be embedded", stats, s -> s.embedding()
                .waiting());
        FunctionCounter.builder(
                        "aios.memory.embedded", stats, s -> s.get().embedding().embedded())
                .description("Chunks embedded since aios started")
                .register(registry);
        for (var tier : MemoryKind.Tier.values()) {
            gauge(
                    "aios.memory.items",
                    "Memory items by tier (knowledge: records)",
                    stats,
                    s -> tierOf(s, tier),
                    "tier",
                    tier.name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * The metrics as text, in the format {@code accept} asks for: OpenMetrics when it names it,
     * else the Prometheus text format.
     */
    public Scrape scrape(String accept) {
        String type = accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        return new Scrape(type, registry.scrape(type));
    }

    /** One scrape: its content type and text. */
    public record Scrape(String contentType, String text) {}

    private static Overview.TaskCount tasks(Overview overview, String kind) {
        return overview.openTasksByKind().getOrDefault(kind, new Overview.TaskCount(0, Instant.EPOCH));
    }

    private static double tierOf(MemoryStats stats, MemoryKind.Tier tier) {
        var found = stats.tiers().get(tier);
        return found == null ? 0 : found.items();
    }

    private double age(Instant since) {
        return Math.max(0, Duration.between(since, clock.instant()).toMillis() / 1000.0);
    }

    private <T> void gauge(
            String name, String description, Snapshot<T> snapshot, ToDoubleFunction<T> value, String... tags) {
        Gauge.builder(name, snapshot, s -> value.applyAsDouble(s.get()))
                .description(description)
                .tags(tags)
                .register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /** What one call to an overview returned, reused for a second so that one scrape asks once. */
    private static final class Snapshot<T> {
        private static final long MAX_AGE_NANOS = Duration.ofSeconds(1).toNanos();
        private final java.util.function.Supplier<T> source;
        private T value;
        private long takenAt;

        Snapshot(java.util.function.Supplier<T> source) {
            this.source = source;
        }

        synchronized T get() {
            long now = System.nanoTime();
            if (value == null || now - takenAt > MAX_AGE_NANOS) {
                value = source.get();
                takenAt = now;
            }
            return value;
        }
    }
}
