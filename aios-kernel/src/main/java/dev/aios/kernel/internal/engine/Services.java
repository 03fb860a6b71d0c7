package dev.aios.kernel.internal.engine;

import dev.aios.kernel.spi.StepScope;
import dev.aios.kernel.spi.StepService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The services extensions offer to steps, by the type agents ask for. */
final class Services {
    private final Map<Class<?>, StepService<?>> services = new ConcurrentHashMap<>();

    <T> void add(StepService<T> service) {
        var taken = services.putIfAbsent(service.type(), service);
        if (taken != null) {
            throw new IllegalArgumentException("two extensions offer "
                    + service.type().getName() + ": " + taken.getClass().getName() + " and "
                    + service.getClass().getName());
        }
    }

    <T> T open(Class<T> type, StepScope scope) {
        var service = services.get(type);
        if (service == null) {
            throw new IllegalStateException("no " + type.getSimpleName() + " is configured in this aios; "
                    + "add the extension that offers it, or do without it in this agent");
        }
        return type.cast(service.open(scope));
    }
}
