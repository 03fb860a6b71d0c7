package dev.aios.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxEnvironmentTest {

    @Test
    void theRuntimesOwnShutdownHookReleasingItsEnvironmentLeavesTheEmbedderWorking() throws Exception {
        var before = new InProcessEmbedder();
        var vector = before.embed(List.of("the invoice for the logo")).getFirst();

        // On SIGTERM the binding's hook runs beside aios's stop, while the embedding thread may still
        // load the model or embed: it must find the runtime's environment alive (not a SIGSEGV).
        OnnxEnvironment.releaseAsTheShutdownHookWould();
        try (var after = new InProcessEmbedder()) {
            var again = after.embed(List.of("the invoice for the logo")).getFirst();
            assertThat(again).containsExactly(vector);
        } finally {
            before.close();
            OnnxEnvironment.keep(); // the reference the hook took back, for the tests that follow
        }
    }
}
