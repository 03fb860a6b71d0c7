package dev.aios.models.internal;

import dev.aios.api.Models;
import dev.aios.kernel.spi.ExtensionHost;
import dev.aios.kernel.spi.StepScope;
import dev.aios.kernel.spi.StepService;
import dev.aios.models.ModelSettings;
import java.time.InstantSource;

/**
 * The model gateway shared by every step: providers, prices, ledger, budgets and cache. Each step
 * attempt gets its own {@link StepModels}, which knows whom to charge.
 */
public final class ModelGateway implements StepService<Models>, AutoCloseable {
    final ModelSettings settings;
    final Providers providers;
    final PriceTable prices;
    final Ledger ledger;
    final Spending spending;
    final ResponseCache cache;
    final ExtensionHost host;
    final InstantSource clock;
    final java.util.function.Supplier<dev.aios.models.spi.PromptGuard> guard;

    public ModelGateway(
            ModelSettings settings,
            ExtensionHost host,
            java.util.function.Supplier<dev.aios.models.spi.PromptGuard> guard,
            java.util.function.Supplier<dev.aios.models.spi.SpendLimits> limits) {
        this.settings = settings;
        this.guard = guard;
        this.host = host;
        this.clock = host.clock();
        this.providers = new Providers(settings);
        this.prices = new PriceTable(settings.prices());
        this.ledger = new Ledger(host.storage());
        this.spending = new Spending(settings.budgets(), Holds.on(host.storage(), clock), limits, clock);
        this.cache = new ResponseCache(host.storage(), host.cipher(), clock, settings.cacheTtl());
    }

    @Override
    public Class<Models> type() {
        return Models.class;
    }

    @Override
    public Models open(StepScope scope) {
        return new StepModels(this, scope);
    }

    /** Whether {@code provider} is marked local. */
    boolean local(String provider) {
        var p = settings.providers().get(provider);
        return p != null && p.local();
    }

    /** Stops what runs in the background (the renewal of this node's spend holds). */
    @Override
    public void close() {
        spending.close();
    }

    /** The ledger, for cost reports. */
    public Ledger ledger() {
        return ledger;
    }

    /** The providers, for prompt agents to know which effects they use. */
    public Providers providers() {
        return providers;
    }

    /**
     * Drops the cached answers about a forgotten subject and files its calls in the ledger under its
     * pseudonym: what they cost still counts, whom they were about is gone.
     */
    public void forget(String subject) {
        cache.forget(subject);
        ledger.pseudonymize(subject, host.cipher().pseudonym(subject));
    }
}
