package dev.aios.kernel.internal.agent;

import dev.aios.api.Agent;
import dev.aios.kernel.AgentInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents the kernel can call, by name: registered one by one or discovered through {@link
 * ServiceLoader} ({@code META-INF/services/dev.aios.api.Agent}).
 *
 * <p>Names are unique: a second agent with a name already taken is refused, whatever its class.
 * Registration is all or nothing: a call that fails registers none of its agents. Reads are
 * lock-free and safe from any thread, also while another thread registers.
 */
public final class AgentRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(AgentRegistry.class);
    private static final String SERVICE_FILE = "META-INF/services/" + Agent.class.getName();

    private final Object writeLock = new Object();
    // Replaced whole on every registration, so readers always see a complete, immutable snapshot.
    private volatile SortedMap<String, AgentBinding> bindings = Collections.emptySortedMap();

    /** An empty registry. */
    public AgentRegistry() {}

    /**
     * Binds {@code agent} to its contract and registers it under the contract's name.
     *
     * @return the binding
     * @throws IllegalArgumentException if the name is taken or the contract's records have no schema
     */
    public AgentBinding register(Agent<?, ?> agent) {
        AgentBinding binding = AgentBinding.of(agent);
        add(List.of(binding));
        return binding;
    }

    /** Registers an agent that works on JSON under its contract's name. */
    public AgentBinding register(dev.aios.api.JsonAgent agent) {
        AgentBinding binding = AgentBinding.of(agent);
        add(List.of(binding));
        return binding;
    }

    /**
     * Registers every agent listed in {@code META-INF/services/dev.aios.api.Agent} files visible to
     * {@code loader}. Each listed class needs a public no-argument constructor.
     *
     * @return the names of the agents found, sorted
     * @throws IllegalStateException if a listed class cannot be loaded or created
     * @throws IllegalArgumentException if a name is taken or a contract's records have no schema
     */
    public List<String> discover(ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        List<AgentBinding> found = new ArrayList<>();
        @SuppressWarnings("rawtypes")
        Iterator<ServiceLoader.Provider<Agent>> providers =
                ServiceLoader.load(Agent.class, loader).stream().iterator();
        while (hasNext(providers)) {
            ServiceLoader.Provider<?> provider = next(providers);
            Agent<?, ?> agent = create(provider);
            found.add(AgentBinding.of(agent));
        }
        add(found);
        List<String> names = found.stream().map(AgentBinding::name).sorted().toList();
        for (AgentBinding binding : found) {
            LOG.info(
                    "discovered agent '{}' {} ({})",
                    binding.name(),
                    binding.terms().version(),
                    binding.agent().getClass().getName());
        }
        return names;
    }

    /** The agent called {@code name}, if one is registered. */
    public Optional<AgentBinding> find(String name) {
        return Optional.ofNullable(bindings.get(Objects.requireNonNull(name, "name")));
    }

    /** The names of all registered agents, sorted. */
    public Set<String> names() {
        return bindings.keySet();
    }

    /** The contracts of all registered agents, sorted by name. */
    public List<AgentInfo> infos() {
        return bindings.values().stream().map(AgentBinding::info).toList();
    }

    private void add(List<AgentBinding> added) {
        synchronized (writeLock) {
            SortedMap<String, AgentBinding> next = new TreeMap<>(bindings);
            for (AgentBinding binding : added) {
                AgentBinding taken = next.putIfAbsent(binding.name(), binding);
                if (taken != null) {
                    throw new IllegalArgumentException("agent '" + binding.name() + "' is registered twice: by "
                            + taken.agent().getClass().getName() + " and by "
                            + binding.agent().getClass().getName()
                            + "; give one of them another name in its contract, or register it once");
                }
            }
            bindings = Collections.unmodifiableSortedMap(next);
        }
    }

    private static boolean hasNext(Iterator<?> providers) {
        try {
            return providers.hasNext();
        } catch (ServiceConfigurationError e) {
            throw listingError(e);
        }
    }

    private static <T> T next(Iterator<T> providers) {
        try {
            return providers.next();
        } catch (ServiceConfigurationError e) {
            throw listingError(e);
        }
    }

    private static IllegalStateException listingError(ServiceConfigurationError e) {
        return new IllegalStateException(
                "cannot load the agents listed in " + SERVICE_FILE + ": " + e.getMessage()
                        + "; fix the class name or remove it from that file",
                e);
    }

    private static Agent<?, ?> create(ServiceLoader.Provider<?> provider) {
        Object created;
        try {
            created = provider.get();
        } catch (ServiceConfigurationError e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "agent class " + provider.type().getName() + " listed in " + SERVICE_FILE
                            + " could not be created: " + cause
                            + "; give it a public no-argument constructor that does not fail, or remove it"
                            + " from that file",
                    e);
        }
        return (Agent<?, ?>) created;
    }
}
