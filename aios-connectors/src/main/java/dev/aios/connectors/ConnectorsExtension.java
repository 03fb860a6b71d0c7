package dev.aios.connectors;

import dev.aios.connectors.internal.Secrets;
import dev.aios.connectors.internal.webhook.WebhookIntake;
import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
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
        webhooks = Optional.of(new WebhookIntake(
                settings.sources(),
                () -> host.expressions(WebhookIntake.VARIABLES),
                secrets,
                host.clock(),
                host::send,
                host::startRun));
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
        return webhooks.orElseThrow(() -> new IllegalStateException(
                        "the connectors are not attached to a kernel yet; build the kernel with .extension(connectors)"))
                .receive(source, request);
    }
}
