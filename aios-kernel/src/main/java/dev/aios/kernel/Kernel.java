package dev.aios.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Agent;
import dev.aios.api.Event;
import dev.aios.api.Playbook;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;

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

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts the workers and timers. Runs left in flight by an earlier process resume. */
    public void start() {
        throw new IllegalStateException("not wired yet");
    }

    /** Stops taking work, lets running steps finish for a moment, and closes the store. */
    @Override
    public void close() {
        throw new IllegalStateException("not wired yet");
    }

    /**
     * Accepts an event: starts the runs of every active playbook it triggers and resumes the runs
     * awaiting it. An event whose id was accepted before changes nothing.
     */
    public Accepted send(Event event) {
        throw new IllegalStateException("not wired yet");
    }

    /** Runs matching {@code query}, newest first. */
    public List<RunSummary> runs(RunQuery query) {
        throw new IllegalStateException("not wired yet");
    }

    /** One run with its steps and tasks. */
    public RunView run(String runId) {
        throw new IllegalStateException("not wired yet");
    }

    /** A run's journal, oldest first. */
    public List<JournalRecord> journal(String runId) {
        throw new IllegalStateException("not wired yet");
    }

    /** Operator tasks, newest first: only open ones unless {@code all}. */
    public List<TaskView> tasks(boolean all) {
        throw new IllegalStateException("not wired yet");
    }

    /** One task. */
    public TaskView task(String taskId) {
        throw new IllegalStateException("not wired yet");
    }

    /**
     * Approves an open task; the run continues. For a review of an agent's output, {@code edited}
     * replaces the output (it is validated against the agent's contract).
     */
    public TaskView approve(String taskId, Optional<JsonNode> edited, String comment) {
        throw new IllegalStateException("not wired yet");
    }

    /** Rejects an open task; the run takes its rejection path or fails as rejected. */
    public TaskView reject(String taskId, String reason) {
        throw new IllegalStateException("not wired yet");
    }

    /** Cancels a run that has not ended; its open tasks are cancelled too. */
    public RunSummary cancel(String runId, String reason) {
        throw new IllegalStateException("not wired yet");
    }

    /** Every loaded playbook version, active ones first. */
    public List<PlaybookInfo> playbooks() {
        throw new IllegalStateException("not wired yet");
    }

    /** Loads a Java-built playbook as the active version of its name. */
    public PlaybookInfo register(Playbook playbook) {
        throw new IllegalStateException("not wired yet");
    }

    /** Loads the playbook directory again: changed files become new versions. */
    public LoadReport reloadPlaybooks() {
        throw new IllegalStateException("not wired yet");
    }

    /** What the last load of playbooks did. */
    public LoadReport lastLoad() {
        throw new IllegalStateException("not wired yet");
    }

    /** Every registered agent's contract, by name. */
    public List<AgentInfo> agents() {
        throw new IllegalStateException("not wired yet");
    }

    /** The directory holding the database. */
    public Path dataDirectory() {
        throw new IllegalStateException("not wired yet");
    }

    /** Configures and builds a {@link Kernel}. */
    public static final class Builder {
        private Builder() {}

        /** Where the database lives (created if missing). Required. */
        public Builder dataDirectory(Path directory) {
            return this;
        }

        /** The clock for timers, leases and timestamps; the system clock by default. */
        public Builder clock(InstantSource clock) {
            return this;
        }

        /** Registers an agent. */
        public Builder agent(Agent<?, ?> agent) {
            return this;
        }

        /** Registers every agent found by {@link java.util.ServiceLoader} on the class path. */
        public Builder discoverAgents() {
            return this;
        }

        /** Loads a Java-built playbook. */
        public Builder playbook(Playbook playbook) {
            return this;
        }

        /** Loads {@code *.yaml} and {@code *.yml} playbooks from this directory (if it exists). */
        public Builder playbookDirectory(Path directory) {
            return this;
        }

        /** Loads the playbooks of every {@link dev.aios.api.spi.PlaybookSource} on the class path. */
        public Builder discoverPlaybooks() {
            return this;
        }

        /** How many steps may execute at once; 64 by default. */
        public Builder concurrency(int steps) {
            return this;
        }

        /** How often idle workers look for due work; 200 ms by default. */
        public Builder pollInterval(Duration interval) {
            return this;
        }

        /** Opens the store (migrating it), registers agents and loads playbooks. */
        public Kernel build() {
            throw new IllegalStateException("not wired yet");
        }
    }
}
