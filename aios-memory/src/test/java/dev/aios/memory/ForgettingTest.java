package dev.aios.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aios.api.KnowledgeKind;
import dev.aios.api.MemoryHit;
import dev.aios.api.MemoryKind;
import dev.aios.api.MemoryQuery;
import dev.aios.api.Remember;
import dev.aios.kernel.RunStatus;
import dev.aios.kernel.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.MultiTerms;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forgetting is real: no API, index, journal or file gives the data back, and the journal still verifies. */
class ForgettingTest {
    @TempDir
    Path dir;

    MemoryHarness aios;

    @AfterEach
    void stop() {
        if (aios != null) {
            aios.close();
        }
    }

    static String secret(String prefix) {
        var random = new Random();
        var letters = new StringBuilder(prefix);
        for (int i = 0; i < 8; i++) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        return letters.append('x').toString();
    }

    @Test
    void forgettingASubjectEmptiesSearchKnowledgeJournalAndIndex() throws Exception {
        aios = new MemoryHarness(
                dir, new TestClock(), MemorySettings.defaults(), List.of(new LookUp()), LookUp.PLAYBOOK);
        String secret = secret("quokka");
        String kept = secret("okapi");
        var memory = aios.operator();
        memory.put(
                KnowledgeKind.CUSTOMER,
                "customer/acme",
                "acme",
                MemoryHarness.JSON.readTree("{\"name\": \"Acme\", \"code\": \"" + secret + "\"}"));
        memory.put(
                KnowledgeKind.CUSTOMER,
                "customer/acme",
                "acme",
                MemoryHarness.JSON.readTree("{\"name\": \"Acme Inc\", \"code\": \"" + secret + "\"}"));
        memory.remember(Remember.of(MemoryKind.NOTE, "acme", "Acme's door code is " + secret));
        memory.remember(Remember.of(MemoryKind.NOTE, "bolt", "Bolt's door code is " + kept));
        var run = aios.send("question.asked", "acme", "{\"need\": \"door code " + secret + "\"}")
                .getFirst();
        var other = aios.send("question.asked", "bolt", "{\"need\": \"door code " + kept + "\"}")
                .getFirst();
        Eventually.await(() -> aios.kernel.run(run).status() == RunStatus.COMPLETED
                && aios.kernel.run(other).status() == RunStatus.COMPLETED);
        aios.settle();

        var before = memory.recall(MemoryQuery.of(secret).withK(20)).items();
        assertThat(before)
                .extracting(MemoryHit::kind)
                .contains(MemoryKind.NOTE, MemoryKind.KNOWLEDGE, MemoryKind.EVENT, MemoryKind.JOURNAL);
        assertThat(aios.memory.about("acme")).isGreaterThan(3);

        long forgotten = memory.forget("acme");

        assertThat(forgotten).isGreaterThan(3);
        assertThat(memory.recall(MemoryQuery.of(secret).withK(100)).items())
                .allSatisfy(hit -> assertThat(hit.subject()).isNotEqualTo("acme"))
                .allSatisfy(hit -> assertThat(hit.text()).doesNotContain(secret));
        assertThat(memory.recall(MemoryQuery.of("door code").withSubject("acme"))
                        .items())
                .isEmpty();
        assertThat(memory.recall(new MemoryQuery(
                                "", Optional.of("acme"), Set.of(), Optional.empty(), Optional.empty(), 100))
                        .items())
                .isEmpty();
        assertThat(memory.get("customer/acme")).isEmpty();
        assertThat(memory.history("customer/acme")).isEmpty();
        assertThat(aios.memory.about("acme")).isZero();
        assertThat(aios.kernel.journal(run))
                .allSatisfy(e -> assertThat(e.data().toString()).doesNotContain(secret));
        assertThat(aios.kernel.verify().problems()).isEmpty();
        // What is not about acme is still there.
        assertThat(memory.recall(MemoryQuery.of(kept)).items())
                .extracting(MemoryHit::subject)
                .contains("bolt");

        // Nothing new is copied back from the kernel's feed, even after a restart.
        aios.restart();
        aios.settle();
        assertThat(aios.operator().recall(MemoryQuery.of(secret).withK(100)).items())
                .allSatisfy(hit -> assertThat(hit.subject()).isNotEqualTo("acme"));
        aios.close();

        // The index on disk holds no term of the secret, and no file holds it in the clear.
        try (var index = FSDirectory.open(dir.resolve("data/memory-index"));
                var reader = DirectoryReader.open(index)) {
            var terms = MultiTerms.getTerms(reader, "text").iterator();
            var found = new ArrayList<String>();
            for (var term = terms.next(); term != null; term = terms.next()) {
                if (term.utf8ToString().contains("quokka")) {
                    found.add(term.utf8ToString());
                }
            }
            assertThat(found).isEmpty();
            assertThat(MultiTerms.getTerms(reader, "text")
                            .iterator()
                            .seekExact(new org.apache.lucene.util.BytesRef(kept)))
                    .as("the other subject's term is still indexed")
                    .isTrue();
        }
        try (var files = Files.walk(dir.resolve("data"))) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                        .as(file.toString())
                        .doesNotContain(secret);
            }
        }
    }

    @Test
    void aSubjectUnderLegalHoldIsNotForgotten() throws Exception {
        aios = new MemoryHarness(
                dir, new TestClock(), MemorySettings.defaults().withLegalHolds(Set.of("acme")), List.of(), "");
        aios.operator().remember(Remember.of(MemoryKind.NOTE, "acme", "Contract signed"));

        assertThatThrownBy(() -> aios.operator().forget("acme")).hasMessageContaining("legal hold");

        assertThat(aios.operator().recall(MemoryQuery.of("contract signed")).items())
                .hasSize(1);
    }

    @Test
    void forgettingAnUnknownSubjectForgetsNothingAndANewItemAboutItIsKept() throws Exception {
        aios = MemoryHarness.start(dir);
        assertThat(aios.operator().forget("nobody")).isZero();

        aios.operator().remember(Remember.of(MemoryKind.NOTE, "nobody", "Now somebody"));
        assertThat(aios.operator().recall(MemoryQuery.of("somebody")).items()).hasSize(1);
    }
}
