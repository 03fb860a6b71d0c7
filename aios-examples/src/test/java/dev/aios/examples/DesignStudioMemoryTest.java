package dev.aios.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aios.api.Memory;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.kernel.Kernel;
import dev.aios.kernel.TestClock;
import dev.aios.memory.MemoryExtension;
import dev.aios.memory.MemorySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo with memory: finished projects leave notes, and qualifying a new lead recalls them. */
class DesignStudioMemoryTest {
    @TempDir
    Path dir;

    final TestClock clock = new TestClock();
    Kernel kernel;
    MemoryExtension memory;

    @BeforeEach
    void start() {
        memory = MemoryExtension.of(MemorySettings.defaults());
        kernel = Kernel.builder()
                .dataDirectory(dir.resolve("data"))
                .clock(clock)
                .extension(memory)
                .build();
        kernel.start();
    }

    @AfterEach
    void stop() {
        kernel.close();
    }

    /** A step's context whose memory is the real one. */
    record Context(String runId, Memory store) implements dev.aios.api.AgentContext {
        @Override
        public String stepId() {
            return "step";
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
            return "acme";
        }

        @Override
        public dev.aios.api.PlaybookRef playbook() {
            return new dev.aios.api.PlaybookRef("design-subscription", "test");
        }

        @Override
        public String idempotencyKey() {
            return runId + ":step:0";
        }

        @Override
        public InstantSource clock() {
            return InstantSource.fixed(java.time.Instant.parse("2026-03-02T09:00:00Z"));
        }

        @Override
        public <R> R effect(String name, Class<R> type, dev.aios.api.Effect<R> action) throws Exception {
            return action.perform(idempotencyKey() + ":" + name);
        }

        @Override
        public void heartbeat() {}

        @Override
        public com.fasterxml.jackson.databind.JsonNode call(String agent, com.fasterxml.jackson.databind.JsonNode in) {
            throw new IllegalStateException("no tools here");
        }

        /** No stateful agent has handled a message yet: every instance's state is empty. */
        @Override
        public dev.aios.api.Instances instances() {
            return (agent, subject) -> java.util.Optional.empty();
        }

        @Override
        public <T> T service(Class<T> type) {
            if (!type.isInstance(store)) {
                throw new IllegalStateException("no " + type.getSimpleName() + " in this test");
            }
            return type.cast(store);
        }
    }

    @Test
    void aNewLeadIsQualifiedWithTheProjectsThatCameBefore() {
        var context = new Context("run-1", memory.memory());
        new DraftFollowUp()
                .run(
                        new DraftFollowUp.FollowUpRequest(
                                "bakery",
                                "Crumb & Co",
                                "Mia",
                                "mia@crumb.test",
                                "PRJ-1",
                                Plan.STANDARD,
                                "a new logo and packaging for artisan bread"),
                        context);
        new DraftFollowUp()
                .run(
                        new DraftFollowUp.FollowUpRequest(
                                "bolt",
                                "Bolt",
                                "Sam",
                                "sam@bolt.test",
                                "PRJ-2",
                                Plan.PRIORITY,
                                "onboarding screens for a fintech mobile app"),
                        context);
        memory.settle(Duration.ofSeconds(30));

        var lead = new QualifyLead.Lead(
                "acme", "Ada", "ada@acme.test", "Acme Patisserie", 4000, "logo and packaging for our pastries", "");
        var qualified = new QualifyLead().run(lead, context);

        assertThat(qualified.score())
                .as("memory adds reasons, not points")
                .isEqualTo(QualifyLead.qualify(lead).score());
        assertThat(qualified.reasons())
                .filteredOn(reason -> reason.startsWith("like a past project"))
                .singleElement()
                .satisfies(reason -> assertThat(reason).contains("Crumb & Co", "packaging", "delivered"));
        memory.settle(Duration.ofSeconds(30));
        var leads = memory.memory()
                .recall(MemoryQuery.of("pastries").withKinds(MemoryKind.NOTE).withSubject("acme"))
                .items();
        assertThat(leads).extracting(MemoryHit::text).anySatisfy(text -> assertThat(text)
                .startsWith("Lead from Acme Patisserie: logo and packaging for our pastries; budget $4,000/month"));
    }
}
