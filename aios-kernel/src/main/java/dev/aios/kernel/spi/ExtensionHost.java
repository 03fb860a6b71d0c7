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
     * Forgets a subject everywhere, as {@link dev.aios.kernel.Kernel#forget} does: for extensions
     * that offer forgetting to agents or operators.
     */
    dev.aios.kernel.ForgetReport forget(String subject);
}
