package dev.aios.connectors;

import dev.aios.api.Memory;
import dev.aios.connectors.internal.Secrets;
import dev.aios.connectors.internal.delivery.Deliveries;
import dev.aios.connectors.internal.delivery.FailedDeliveries;
import dev.aios.connectors.internal.http.HttpAgent;
import dev.aios.connectors.internal.mail.AttachmentMemory;
import dev.aios.connectors.internal.mail.ImapIntake;
import dev.aios.connectors.internal.mail.SendEmail;
import dev.aios.connectors.internal.mcp.McpAgent;
import dev.aios.connectors.internal.mcp.McpConnections;
import dev.aios.connectors.internal.schedule.ScheduleRunner;
import dev.aios.connectors.internal.secret.SecretStore;
import dev.aios.connectors.internal.webhook.WebhookIntake;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Plugs the connectors into a kernel: webhooks in ({@link #receive}), and the agents and triggers
 * the settings declare.
 *
 * <pre>{@code
 * var connectors = new ConnectorsExtension(ConnectorSettings.read(config::section), System::getenv);
 * var kernel = Kernel.builder().dataDirectory(dir).extension(connectors).build();
 * connectors.receive("stripe", new WebhookRequest(headers, "application/json", body));
 * }</pre>
 */
public final class ConnectorsExtension implements Extension {
    /** The name this module's tables are migrated under ({@code flyway_connectors}). */
    public static final String MODULE = "connectors";

    /** Where this module's Flyway migrations are (on PostgreSQL: at this location + {@code -postgresql}). */
    public static final String MIGRATIONS = "classpath:db/connectors";

    private final ConnectorSettings settings;
    private final Secrets environment;
    private volatile Optional<SecretStore> secrets = Optional.empty();
    private volatile Optional<WebhookIntake> webhooks = Optional.empty();
    private volatile Optional<ScheduleRunner> schedules = Optional.empty();
    private volatile Optional<ImapIntake> mail = Optional.empty();
    private volatile Supplier<Optional<Memory>> attachmentMemory = Optional::empty;
    private volatile Optional<McpConnections> mcp = Optional.empty();
    private volatile Optional<Deliveries> deliveries = Optional.empty();

    /**
     * @param environment where named secrets are found (environment variables of the same name)
     */
    public ConnectorsExtension(ConnectorSettings settings, Function<String, Optional<String>> environment) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(environment, "environment");
        this.environment = name -> environment.apply(name).filter(value -> !value.isBlank());
    }

    @Override
    public void attach(ExtensionHost host) {
        host.storage().migrate(MODULE, MIGRATIONS);
        var store = new SecretStore(host.secrets(), environment);
        secrets = Optional.of(store);
        Secrets secrets = store;
        var runner = new ScheduleRunner(host);
        host.scheduler(runner);
        schedules = Optional.of(runner);
        host.windows(settings.windows());
        host.agent(new SendEmail(settings.smtp(), secrets));
        host.agent(new HttpAgent(secrets));
        var servers = new McpConnections(settings.mcp(), secrets);
        mcp = Optional.of(servers);
        host.agent(new McpAgent(servers));
        if (!settings.subscriptions().isEmpty()) {
            var outgoing = new Deliveries(settings.subscriptions(), secrets, host);
            host.listen(items -> outgoing.wake());
            host.onForget(outgoing::forget);
            host.agent(FailedDeliveries.resend(outgoing));
            host.agent(FailedDeliveries.drop(outgoing));
            host.playbook(FailedDeliveries.playbook());
            deliveries = Optional.of(outgoing);
        } else {
            Deliveries.keepPrivate(host);
        }
        var remembered = new AttachmentMemory(attachmentMemory);
        mail = settings.imap()
                .map(imap -> new ImapIntake(
                        imap, secrets, host.storage(), host::send, host.clock(), remembered, host::leads));
        webhooks = Optional.of(new WebhookIntake(
                settings.sources(),
                () -> host.expressions(WebhookIntake.VARIABLES),
                secrets,
                host.clock(),
                host::send,
                host::startRun));
    }

    /**
     * Stores the attachments of received email in {@code memory}, as documents about the sender;
     * call before the kernel is built. Without it attachments are listed in the event only.
     */
    public ConnectorsExtension rememberAttachmentsIn(Supplier<Memory> memory) {
        Objects.requireNonNull(memory, "memory");
        this.attachmentMemory = () -> Optional.of(memory.get());
        return this;
    }

    /** Starts reading mail in the background, when {@code email.imap} is configured. */
    public void startMail() {
        mail.ifPresent(ImapIntake::start);
    }

    /** Starts delivering outgoing webhooks in the background, when subscriptions are configured. */
    public void startDeliveries() {
        deliveries.ifPresent(Deliveries::start);
    }

    /**
     * Collects and sends the outgoing webhooks that are due now, as the background loop does;
     * returns how many were delivered. For tests that move the kernel's clock by hand.
     */
    public int deliverNow() {
        var outgoing = deliveries.orElseThrow(
                () -> new IllegalStateException("no subscriptions are configured; add subscriptions: to aios.yaml"));
        outgoing.collect();
        return outgoing.deliverDue();
    }

    /** The outgoing webhook deliveries, newest change first, optionally only those of one status. */
    public List<DeliveryView> deliveries(Optional<DeliveryStatus> status, int limit) {
        return deliveries.map(d -> d.list(status, limit)).orElse(List.of());
    }

    /**
     * Tries a failed delivery again with all its attempts.
     *
     * @throws dev.aios.kernel.NotFoundException when no failed delivery has that id
     */
    public void retryDelivery(String id) {
        deliveries
                .orElseThrow(() -> new dev.aios.kernel.NotFoundException(
                        "no subscriptions are configured; add subscriptions: to aios.yaml"))
                .retry(id);
    }

    /**
     * Drops a failed delivery: it is never sent.
     *
     * @throws dev.aios.kernel.NotFoundException when no failed delivery has that id
     */
    public void dropDelivery(String id) {
        deliveries
                .orElseThrow(() -> new dev.aios.kernel.NotFoundException(
                        "no subscriptions are configured; add subscriptions: to aios.yaml"))
                .drop(id);
    }

    /**
     * Reads new mail now, as the background loop does, whichever node leads; returns the ids of the
     * events accepted. For tests.
     *
     * @throws IllegalStateException when no {@code email.imap} is configured
     */
    public List<String> pollMail() {
        return mail.orElseThrow(() ->
                        new IllegalStateException("no incoming mail server is configured; add email.imap to aios.yaml"))
                .poll();
    }

    @Override
    public void close() {
        schedules.ifPresent(ScheduleRunner::close);
        mail.ifPresent(ImapIntake::close);
        mcp.ifPresent(McpConnections::close);
        deliveries.ifPresent(Deliveries::close);
    }

    /** The scheduled playbooks, each with its next {@code count} firing times. */
    public List<ScheduleView> schedules(int count) {
        return attached(schedules).views(count);
    }

    /**
     * Fires the scheduled playbooks that are due now, as the background loop does every second;
     * returns the ids of the events fired. For tests that move the kernel's clock by hand.
     */
    public List<String> fireDueSchedules() {
        return attached(schedules).fireDue();
    }

    private static <T> T attached(Optional<T> part) {
        return part.orElseThrow(() -> new IllegalStateException(
                "the connectors are not attached to a kernel yet; build the kernel with .extension(connectors)"));
    }

    /**
     * Sets a named secret, encrypted under the master key and recorded (by name) in the audit log; it
     * takes effect at once, before an environment variable of the same name.
     *
     * @throws dev.aios.kernel.InvalidInputException for a bad name or an empty value
     */
    public void setSecret(String name, String value) {
        attached(secrets).set(name, value);
    }

    /**
     * Deletes a stored secret.
     *
     * @throws dev.aios.kernel.NotFoundException when none of that name is stored
     */
    public void deleteSecret(String name) {
        attached(secrets).delete(name);
    }

    /** The stored secrets and those the settings use, with where each comes from; never a value. */
    public List<SecretView> secrets() {
        return attached(secrets).list(settings.secretNames());
    }

    /** The settings in force. */
    public ConnectorSettings settings() {
        return settings;
    }

    /**
     * Receives a delivery to {@code POST /hooks/{source}}: checks its signature and turns it into an
     * event, or says why not (nothing is recorded then).
     *
     * @throws IllegalStateException before the extension is attached to a kernel
     */
    public WebhookAnswer receive(String source, WebhookRequest request) {
        return attached(webhooks).receive(source, request);
    }
}
