package dev.aios.kernel.internal.playbook;

import dev.aios.api.Playbook;
import java.util.Objects;

/**
 * A playbook read from YAML, with where each of its parts was written.
 *
 * @param playbook the model
 * @param lines model path to source line, for the compiler's messages
 */
public record ParsedPlaybook(Playbook playbook, SourceMap lines) {
    public ParsedPlaybook {
        Objects.requireNonNull(playbook, "playbook");
        Objects.requireNonNull(lines, "lines");
    }
}
