package dev.aios.kernel;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A loaded playbook version.
 *
 * @param name the playbook's name
 * @param version its content hash
 * @param description one sentence for the operator
 * @param trigger the event type that starts it
 * @param when the trigger's CEL condition, if any
 * @param source where it was loaded from: a file path, a class path resource, or {@code builder}
 * @param steps its steps as {@code id (kind)}
 * @param active whether new events start runs on this version (older versions only finish runs)
 * @param loadedAt when this version was first loaded (for a refused file: when it was refused)
 * @param refused empty for a loaded version; for a file that was refused, what is wrong with it. A
 *     refused file is listed with an empty version beside the version of its playbook that stays
 *     active until the file is fixed
 */
public record PlaybookInfo(
        String name,
        String version,
        String description,
        String trigger,
        Optional<String> when,
        String source,
        List<String> steps,
        boolean active,
        Instant loadedAt,
        List<PlaybookException.Problem> refused) {
    public PlaybookInfo {
        steps = List.copyOf(steps);
        refused = List.copyOf(refused);
    }
}
