package dev.aios.connectors;

import dev.aios.connectors.internal.Secrets;
import dev.aios.connectors.internal.mail.SendEmail;
import dev.aios.connectors.internal.schedule.ScheduleRunner;
import dev.aios.connectors.internal.webhook.WebhookIntake;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

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
    private final ConnectorSettings settings;
    private final Secrets secrets;
    private volatile Optional<WebhookIntake> webhooks = Optional.empty();
    private volatile Optional<ScheduleRunner> schedules = Optional.empty();

    /**
     * @param environment where named secrets are found (environment variables of the same name)
     */
    public ConnectorsExtension(ConnectorSettings settings, Function<String, Optional<String>> environment) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(environment, "environment");
        this.secrets = name -> environment.apply(name).filter(value -> !value.isBlank());
    }

    @Override
    public void attach(ExtensionHost host) {
        host.storage().migrate("connectors", "classpath:db/connectors");
        var runner = new ScheduleRunner(host);
        host.scheduler(runner);
        schedules = Optional.of(runner);
        host.windows(settings.windows());
        host.agent(new SendEmail(settings.smtp(), secrets));
        webhooks = Optional.of(new WebhookIntake(
                settings.sources(),
                () -> host.expressions(WebhookIntake.VARIABLES),
                secrets,
                host.clock(),
                host::send,
                host::startRun));
    }

    @Override
    public void close() {
        schedules.ifPresent(ScheduleRunner::close);
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
