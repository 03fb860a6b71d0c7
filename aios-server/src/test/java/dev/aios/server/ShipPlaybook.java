package dev.aios.server;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.AgentStep;
import dev.aios.api.Compensation;
import dev.aios.api.Contract;
import dev.aios.api.PermanentFailure;
import dev.aios.api.Playbook;
import dev.aios.api.RetryPolicy;
import dev.aios.api.StepOptions;
import dev.aios.api.Trigger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The tests' playbook for failures: {@code test.order} → agent {@code reserve} at step {@code
 * reserve} (an effect on the warehouse, undone by agent {@code release}) → agent {@code ship} at
 * step {@code ship}, which fails for good while its order is in {@link #FAILING}, so the step is
 * parked in the inbox at once.
 */
final class ShipPlaybook {
    static final String NAME = "reserve-then-ship";
    static final String TRIGGER = "test.order";

    /** Orders that {@code ship} refuses; tests use orders of their own. */
    static final Set<String> FAILING = ConcurrentHashMap.newKeySet();

    /** Reservations that {@code release} undid, in order. */
    static final List<String> RELEASED = new CopyOnWriteArrayList<>();

    private ShipPlaybook() {}

    record Order(String order) {}

    record Reserved(String order, String reservation) {}

    record Shipped(String order, String tracking) {}

    /** Reserves stock for the order, as an effect with a receipt. */
    static final class Reserve implements Agent<Order, Reserved> {
        @Override
        public Contract<Order, Reserved> contract() {
            return Contract.of("reserve", "1.0.0", Order.class, Reserved.class).withEffects("warehouse");
        }

        @Override
        public Reserved run(Order input, AgentContext context) throws Exception {
            var reservation = context.effect("warehouse:reserve", String.class, key -> "res-" + input.order());
            return new Reserved(input.order(), reservation);
        }
    }

    /** Gives reserved stock back. */
    static final class Release implements Agent<Reserved, Reserved> {
        @Override
        public Contract<Reserved, Reserved> contract() {
            return Contract.of("release", "1.0.0", Reserved.class, Reserved.class);
        }

        @Override
        public Reserved run(Reserved input, AgentContext context) {
            RELEASED.add(input.reservation());
            return input;
        }
    }

    /** Ships the order, unless it is in {@link #FAILING}. */
    static final class Ship implements Agent<Order, Shipped> {
        @Override
        public Contract<Order, Shipped> contract() {
            return Contract.of("ship", "1.0.0", Order.class, Shipped.class);
        }

        @Override
        public Shipped run(Order input, AgentContext context) {
            if (FAILING.contains(input.order())) {
                throw new PermanentFailure("the carrier refused order " + input.order());
            }
            return new Shipped(input.order(), "track-" + input.order());
        }
    }

    static Playbook playbook() {
        var undo = new Compensation(
                "release", Map.of("order", "steps.reserve.order", "reservation", "steps.reserve.reservation"));
        return Playbook.builder(NAME)
                .description("Reserves stock, then ships")
                .trigger(Trigger.on(TRIGGER))
                .step(AgentStep.of("reserve", "reserve")
                        .withInput("order", "event.data.order")
                        .withOptions(StepOptions.NONE.withCompensation(undo)))
                .step(AgentStep.of("ship", "ship")
                        .withInput("order", "event.data.order")
                        .withOptions(StepOptions.NONE.withRetry(RetryPolicy.DEFAULT.withMaxAttempts(1))))
                .build();
    }
}
