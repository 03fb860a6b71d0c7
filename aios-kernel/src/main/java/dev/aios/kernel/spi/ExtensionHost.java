package dev.aios.kernel.spi;

import java.nio.file.Path;
import java.time.InstantSource;

/** What the kernel gives an {@link Extension}, and where the extension registers what it offers. */
public interface ExtensionHost {

    /** The kernel's database, for the extension's own tables. */
    Storage storage();

    /** Per-subject encryption, so that forgetting a subject also makes the extension's data unreadable. */
    SubjectCipher cipher();

    /** The events and journal entries the kernel has accepted, to catch up from. */
    Feed feed();

    /** The kernel's clock. */
    InstantSource clock();

    /** The data directory, for files the extension derives (indexes). */
    Path dataDirectory();

    /** Offers a service to agents through {@link dev.aios.api.AgentContext#service}. */
    <T> void service(StepService<T> service);

    /** Builds agents of one kind declared in playbooks. */
    void agentFactory(AgentFactory factory);

    /** Hears, after each commit, the events and journal entries it made. */
    void listen(FeedListener listener);

    /** Hears that a subject was forgotten, so the extension drops what it derived about it. */
    void onForget(ForgetListener listener);

    /** May refuse forgetting a subject (legal hold); asked before anything is destroyed. */
    void guardForget(ForgetGuard guard);

    /**
     * Accepts an event as {@link dev.aios.kernel.Kernel#send} does: for extensions that raise events
     * (alerts, suggestions, schedules, webhooks). Not before the kernel is built.
     */
    dev.aios.kernel.Accepted send(dev.aios.api.Event event);

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
}
