package dev.aios.memory;

import dev.aios.api.Memory;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.StepScope;
import dev.aios.kernel.spi.StepService;
import dev.aios.memory.internal.MemoryService;
import dev.aios.memory.internal.Models;
import dev.aios.memory.internal.OperatorMemory;
import dev.aios.memory.spi.Embedder;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Memory as a kernel extension: agents reach it with {@code context.memory()}, the operator through
 * {@link #memory()}. Its tables live in the kernel's database; its index in {@code memory-index}
 * under the data directory, rebuilt from the tables when missing.
 *
 * <pre>{@code
 * var memory = MemoryExtension.of(MemorySettings.from(config.section("memory")));
 * var kernel = Kernel.builder().dataDirectory(data).extension(memory).build();
 * memory.memory().recall("brand refresh", 5);
 * }</pre>
 */
public final class MemoryExtension implements Extension {
    /** The name this module's tables are migrated under ({@code flyway_memory}). */
    public static final String MODULE = "memory";

    /** Where this module's Flyway migrations are (on PostgreSQL: at this location + {@code -postgresql}). */
    public static final String MIGRATIONS = "classpath:db/memory";

    private final MemorySettings settings;
    private final Optional<Embedder> embedder;
    private volatile MemoryService service;
    private volatile MemoryService.IndexOpening opening;

    private MemoryExtension(MemorySettings settings, Optional<Embedder> embedder) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.embedder = embedder;
    }

    /** Memory with {@code settings}; the in-process embedding model loads on first use (about a second). */
    public static MemoryExtension of(MemorySettings settings) {
        return new MemoryExtension(settings, Models.embedder(settings.embeddings()));
    }

    /** Memory with its own embedder instead of the one the settings name. */
    public static MemoryExtension of(MemorySettings settings, Embedder embedder) {
        return new MemoryExtension(settings, Optional.of(embedder));
    }

    @Override
    public void prepare(java.nio.file.Path dataDirectory) {
        opening = MemoryService.openIndexAhead(dataDirectory, embedder);
    }

    @Override
    public void attach(ExtensionHost host) {
        var ahead = opening;
        opening = null;
        var memory = new MemoryService(host, settings, embedder, Models.summarizer(settings.compactionModel()), ahead);
        host.service(new StepService<Memory>() {
            @Override
            public Class<Memory> type() {
                return Memory.class;
            }

            @Override
            public Memory open(StepScope scope) {
                return memory.forStep(scope);
            }
        });
        // Forgetting goes through the kernel, which destroys the subject's keys and then tells memory.
        memory.forgetThrough(host::forget);
        host.guardForget(subject -> onHold(subject)
                ? Optional.of("it is under legal hold (memory.retention.legalHolds in aios.yaml)")
                : Optional.empty());
        memory.start();
        this.service = memory;
    }

    /** Memory as the operator uses it: nothing is noted as provenance, searching is not using. */
    public Memory memory() {
        return new OperatorMemory(service());
    }

    /**
     * Stores many items at once, for imports: one transaction, searchable by words when this returns,
     * embedded in the background. Either every item is stored or, when one is refused (too long, an
     * id stored with other content), none; an id stored before with the same content is kept as it
     * is, so an import can simply be run again.
     *
     * @throws IllegalArgumentException when an item is refused; the message names it (item N of M)
     * @throws MemoryConflictException when an id is already stored with other content
     */
    public Remembered rememberAll(java.util.List<dev.aios.api.Remember> items) {
        return new OperatorMemory(service()).rememberAll(items);
    }

    /**
     * How {@code query} is searched, for an explanation beside its hits: the terms each search uses,
     * the query's shape, and the weights of the text and vector searches.
     */
    public RecallPlan plan(dev.aios.api.MemoryQuery query) {
        return service().plan(query);
    }

    /** Sizes per tier and kind, the embedding queue, and what the next retention job will remove. */
    public MemoryStats stats() {
        return service().stats();
    }

    /**
     * Whether the search index is ready, or being rebuilt from memory's tables and how far that got.
     * A rebuild runs in the background at start when the index is missing, was made by an older
     * version or for another embedding model, and on {@link #reindex()}; searches are refused with
     * {@link MemoryRebuildingException} meanwhile, while storing goes on.
     */
    public IndexState indexState() {
        return service().indexState();
    }

    /**
     * Rebuilds the search index from memory's tables, in the background, with the vectors they hold
     * (nothing is embedded again): for when the index is thought damaged. Asking while a rebuild runs
     * starts no second one. A rebuild cut short (the process stops) is started again on the next start.
     *
     * @return the index's state once the rebuild is under way
     */
    public IndexState reindex() {
        return service().reindex();
    }

    /**
     * Waits until the search index is ready (a rebuild running at start or asked for has ended), at
     * most {@code patience}; for benchmarks and tools that search right after a start.
     *
     * @return whether it is ready; false on timeout or when the rebuild failed
     */
    public boolean awaitIndex(Duration patience) {
        return service().awaitIndex(patience);
    }

    /** Runs the retention job now. */
    public RetentionReport retain() {
        return service().retain();
    }

    /** Whether {@code subject} is under legal hold (then it must not be forgotten). */
    public boolean onHold(String subject) {
        return settings.legalHolds().contains(subject);
    }

    /** How many memory items and knowledge records are about {@code subject}. */
    public long about(String subject) {
        return service().about(subject);
    }

    /** The subjects with the most items, most first, at most {@code limit}. */
    public java.util.List<SubjectCount> subjects(int limit) {
        return service().subjects(limit);
    }

    /**
     * Pins an item, so that retention keeps it, or unpins it.
     *
     * @return whether an item with this id exists
     */
    public boolean pin(String itemId, boolean pinned) {
        return service().pin(itemId, pinned);
    }

    /** Which of the items {@code ids} are pinned. */
    public java.util.Set<String> pinned(java.util.Collection<String> ids) {
        return service().pinned(ids);
    }

    /** The settings memory runs with. */
    public MemorySettings settings() {
        return settings;
    }

    /**
     * Waits until everything stored is embedded and every event and journal entry is copied and
     * searchable, at most {@code patience}; for tests and benchmarks.
     *
     * @return whether it got there in time
     */
    public boolean settle(Duration patience) {
        return service().awaitEmbedded(patience);
    }

    private MemoryService service() {
        var memory = service;
        if (memory == null) {
            throw new IllegalStateException(
                    "memory is not attached to a kernel yet; pass it to Kernel.builder().extension");
        }
        return memory;
    }

    @Override
    public void start() {
        service().startCopying();
    }

    @Override
    public void close() {
        var memory = service;
        if (memory != null) {
            memory.close();
        } else {
            var ahead = opening;
            if (ahead != null) {
                ahead.abandon();
            }
            embedder.ifPresent(Embedder::close);
        }
    }
}
