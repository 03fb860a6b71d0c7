package dev.aios.kernel.internal.agent;

import dev.aios.api.Agent;
import dev.aios.api.AgentContext;
import dev.aios.api.Contract;
import dev.aios.api.PlaybookRef;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/** Records, agents and a context shared by the agent tests. */
final class TestAgents {
    private TestAgents() {}

    enum Tier {
        HOT,
        WARM,
        COLD
    }

    record Company(String name, int employees) {}

    record Lead(String email, int budget, Optional<String> note, List<String> tags, Optional<Company> company) {
        Lead {
            if (budget < 0) {
                throw new IllegalArgumentException("budget must not be negative, was " + budget);
            }
        }
    }

    record Score(int value, String reason, Tier tier, Optional<String> hint) {}

    /** An agent whose behaviour each test supplies. */
    static final class ScriptedAgent implements Agent<Lead, Score> {
        private final Contract<Lead, Score> contract;
        private final BiFunction<Lead, AgentContext, Score> script;

        ScriptedAgent(String name, BiFunction<Lead, AgentContext, Score> script) {
            this.contract = Contract.of(name, "1.0.0", Lead.class, Score.class);
            this.script = script;
        }

        @Override
        public Contract<Lead, Score> contract() {
            return contract;
        }

        @Override
        public Score run(Lead input, AgentContext context) {
            return script.apply(input, context);
        }
    }

    /** A fixed context for direct calls. */
    record FixedContext(Instant at) implements AgentContext {
        @Override
        public String runId() {
            return "r-test";
        }

        @Override
        public String stepId() {
            return "qualify";
        }

        @Override
        public int iteration() {
            return 0;
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public String subject() {
            return "customer-1";
        }

        @Override
        public PlaybookRef playbook() {
            return new PlaybookRef("onboarding", "abc123");
        }

        @Override
        public String idempotencyKey() {
            return "r-test/qualify/0";
        }

        @Override
        public InstantSource clock() {
            return InstantSource.fixed(at);
        }

        @Override
        public <R> R effect(String name, Class<R> resultType, dev.aios.api.Effect<R> action) throws Exception {
            return action.perform(idempotencyKey() + ":" + name);
        }

        @Override
        public void heartbeat() {}

        @Override
        public com.fasterxml.jackson.databind.JsonNode call(
                String agent, com.fasterxml.jackson.databind.JsonNode input) {
            throw new IllegalStateException("tool calls are not part of this test");
        }

        @Override
        public <T> T service(Class<T> type) {
            throw new IllegalStateException("no " + type.getSimpleName() + " in this test");
        }
    }
}
