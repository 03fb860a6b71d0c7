package dev.aios.kernel.spi;

import java.nio.file.Path;
import java.time.InstantSource;

/** What the kernel gives an {@link Extension}, and where the extension registers what it offers. */
public interface ExtensionHost {

    /** The kernel's database, for the extension's own tables. */
    Storage storage();

    /** Per-subject encryption, so that forgetting a subject also makes the extension's data unreadable. */
    SubjectCipher cipher();

    /**
     * Secrets kept encrypted under the master key (API keys, signing secrets): what a connector
     * must keep but never store in clear.
     */
    dev.aios.kernel.Secrets secrets();

    /** The audit log, for changes the extension makes on an operator's or admin's behalf. */
    Audit audit();

    /** The events and journal entries the kernel has accepted, to catch up from. */
    Feed feed();

    /**
     * Whether the workers have a backlog: several times more steps and timers due now than they
     * have places for, as after a restart that found thousands of timers due. Work that can wait
     * without loss, such as copying the {@link #feed()} (which resumes where it stopped), may yield
     * the database's one writer to the runs while this holds. Reads the database: ask it now and
     * then, not for every item.
     */
    default boolean backlogged() {
        return false;
    }

    /**
     * Where the extension records its metrics; names start with {@code aios.} and tags stay few
     * (no run ids), as Prometheus expects.
     */
    io.micrometer.core.instrument.MeterRegistry meters();

    /**
     * Where the extension makes its spans, e.g. one per model call; a span started while a step runs
     * (on the step's own thread) lands under that step in its run's trace. No-op unless the kernel
     * was given an OpenTelemetry.
     */
    io.opentelemetry.api.trace.Tracer tracer();

    /** The kernel's clock. */
    InstantSource clock();

    /**
     * Whether this node leads the nodes sharing the store: the one running longest of those alive
     * (with SQLite, the only one). For work one node does for all, such as reading a mailbox: ask
     * before each round, since another node leads once this one stops (at once) or goes silent
     * (after 30 s). When the nodes cannot be read, every node leads.
     */
    boolean leads();

    /** The data directory, for files the extension derives (indexes). */
    Path dataDirectory();

    /** Offers a service to agents through {@link dev.aios.api.AgentContext#service}. */
    <T> void service(StepService<T> service);

    /**
     * Registers an agent the extension offers, such as a connector's action ({@code send-email},
     * {@code http}); registered before playbooks load, so they may name it.
     *
     * @throws IllegalArgumentException when another agent has its name
     */
    void agent(dev.aios.api.JsonAgent agent);

    /** Builds agents of one kind declared in playbooks. */
    void agentFactory(AgentFactory factory);

    /** Hears, after each commit, the events and journal entries it made. */
    void listen(FeedListener listener);

    /** Hears that a subject was forgotten, so the extension drops what it derived about it. */
    void onForget(ForgetListener listener);

    /** May refuse forgetting a subject (legal hold); asked before anything is destroyed. */
    void guardForget(ForgetGuard guard);

    /**
     * Loads a Java-built playbook the extension brings, e.g. the one whose runs carry its items in
     * the operator's inbox; call it from {@link Extension#attach}.
     */
    void playbook(dev.aios.api.Playbook playbook);

    /**
     * Sets the central policy the kernel consults on every agent step and for escalating open
     * tasks. There is at most one.
     *
     * @throws IllegalArgumentException when another extension set one already
     */
    void stepPolicy(StepPolicy policy);

    /**
     * Forgets a subject everywhere, as {@link dev.aios.kernel.Kernel#forget} does: for extensions
     * that offer forgetting to agents or operators.
     */
    dev.aios.kernel.ForgetReport forget(String subject);

    /**
     * Accepts an event from outside, as {@link dev.aios.kernel.Kernel#send} does: for extensions
     * that bring events in or raise them (webhooks, mail, schedules, alerts, suggestions).
     */
    dev.aios.kernel.Accepted send(dev.aios.api.Event event);

    /**
     * Starts a run of one active playbook with {@code event} as its trigger, as {@link
     * dev.aios.kernel.Kernel#startRun} does.
     */
    dev.aios.kernel.Accepted startRun(String playbook, dev.aios.api.Event event);

    /** Runs the scheduled playbooks; one extension at most offers it. */
    void scheduler(Scheduler scheduler);

    /** Defines the batch windows steps may wait for; one extension at most offers them. */
    void windows(BatchWindows windows);

    /** CEL over the named variables, in the kernel's dialect. */
    Expressions expressions(java.util.List<String> variables);
}
