package dev.aios.kernel.internal.engine;

import dev.aios.api.Agent;
import dev.aios.api.Playbook;
import dev.aios.kernel.ConnectorPolicy;
import dev.aios.kernel.spi.Extension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How an engine is put together.
 *
 * @param dataDirectory where the database lives
 * @param clock the clock of timers, leases and timestamps
 * @param agents agents registered explicitly
 * @param discoverAgents whether to add agents found by ServiceLoader
 * @param built Java-built playbooks (mutable: {@code register} adds to it)
 * @param playbookDirectory a directory of YAML playbooks
 * @param discoverPlaybooks whether to load the playbooks of every PlaybookSource on the class path
 * @param concurrency how many steps execute at once
 * @param pollInterval how often idle workers look for due work
 * @param connectors breaker and rate limit per connector name ({@code *} for all others)
 * @param extensions modules plugged in, attached in order
 * @param whenBroken told, once, why the kernel cannot go on (its writer stopped)
 * @param limits how far one input may go
 * @param meters where the kernel and its extensions record metrics
 * @param database a PostgreSQL database to keep the kernel's tables in, instead of the data directory's SQLite file
 * @param masterKey where the master key is found (and created on first start)
 */
public record EngineConfig(
        Path dataDirectory,
        InstantSource clock,
        List<Agent<?, ?>> agents,
        boolean discoverAgents,
        List<Playbook> built,
        Optional<Path> playbookDirectory,
        boolean discoverPlaybooks,
        int concurrency,
        Duration pollInterval,
        Map<String, ConnectorPolicy> connectors,
        List<Extension> extensions,
        java.util.function.Consumer<String> whenBroken,
        dev.aios.kernel.Limits limits,
        io.micrometer.core.instrument.MeterRegistry meters,
        io.opentelemetry.api.OpenTelemetry openTelemetry,
        Optional<String> database,
        dev.aios.kernel.MasterKeySource masterKey) {}
