package dev.aios.models;

import dev.aios.kernel.spi.Extension;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.models.internal.ModelGateway;
import dev.aios.models.internal.PromptAgentFactory;
import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Plugs the model gateway into a kernel: agents reach it with {@code context.model()}, playbooks
 * declare prompt agents ({@code kind: prompt}), and every call is budgeted, cached, recorded and
 * entered in the cost ledger.
 *
 * <pre>{@code
 * var models = new ModelsExtension(ModelSettings.read(config.section("models"), env));
 * var kernel = Kernel.builder().dataDirectory(dir).extension(models).build();
 * models.costs(Optional.empty(), Optional.empty()).total().costUsd();
 * }</pre>
 */
public final class ModelsExtension implements Extension {
    /** The name this module's tables are migrated under ({@code flyway_models}). */
    public static final String MODULE = "models";

    /** Where this module's Flyway migrations are (on PostgreSQL: at this location + {@code -postgresql}). */
    public static final String MIGRATIONS = "classpath:db/models";

    private final ModelSettings settings;
    private volatile Optional<ModelGateway> gateway = Optional.empty();
    private volatile dev.aios.models.spi.PromptGuard guard = dev.aios.models.spi.PromptGuard.NONE;
    private volatile dev.aios.models.spi.SpendLimits limits = dev.aios.models.spi.SpendLimits.NONE;

    public ModelsExtension(ModelSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public void attach(ExtensionHost host) {
        host.storage().migrate(MODULE, MIGRATIONS);
        var attached = new ModelGateway(settings, host, () -> guard, () -> limits);
        host.service(attached);
        host.agentFactory(new PromptAgentFactory(attached));
        host.onForget(attached::forget);
        gateway = Optional.of(attached);
    }

    @Override
    public void close() {
        gateway.ifPresent(ModelGateway::close);
    }

    /**
     * Screens every prompt before it leaves for a provider (the central policy's privacy rules);
     * may be set after the kernel is built.
     */
    public ModelsExtension guard(dev.aios.models.spi.PromptGuard guard) {
        this.guard = Objects.requireNonNull(guard, "guard");
        return this;
    }

    /**
     * Spend limits checked before every call on top of the budgets (the central policy's, per agent,
     * subject, playbook and connector); may be set after the kernel is built.
     */
    public ModelsExtension spendLimits(dev.aios.models.spi.SpendLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        return this;
    }

    /** The settings in force. */
    public ModelSettings settings() {
        return settings;
    }

    /**
     * What model calls cost between two days (UTC, both included; either may be open).
     *
     * @throws IllegalStateException before the extension is attached to a kernel
     */
    public CostReport costs(Optional<LocalDate> from, Optional<LocalDate> to) {
        return gateway.orElseThrow(() -> new IllegalStateException(
                        "the model gateway is not attached to a kernel yet; build the kernel with .extension(models)"))
                .ledger()
                .report(from, to);
    }
}
