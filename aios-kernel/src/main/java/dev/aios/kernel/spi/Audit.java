package dev.aios.kernel.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * The kernel's audit log, for an extension whose own writes are operator or admin actions (a new
 * policy version, say). The entry is written in the extension's write, so the change and its entry
 * commit together or not at all.
 *
 * <pre>{@code
 * String actor = Actor.current(); // on the thread that acts: writes run on the kernel's writer
 * storage.write(h -> {
 *     h.update("INSERT INTO versions ...", ...);
 *     audit.append(h, actor, "policy.change", "policy", details);
 *     return null;
 * });
 * }</pre>
 */
public interface Audit {

    /**
     * Records that {@code actor} did {@code action} to {@code target}, in the write that {@code
     * handle} belongs to (call it inside {@link Storage#write}).
     *
     * @param actor a token's name, or {@link dev.aios.kernel.Actor#LOCAL} / {@link
     *     dev.aios.kernel.Actor#KERNEL}
     * @param action what was done, as {@code area.verb}, e.g. {@code policy.change}
     * @param target what it was done to; never a subject's name in clear
     * @param details more about it (a JSON object)
     */
    void append(Handle handle, String actor, String action, String target, JsonNode details);

    /** Who answered task {@code taskId}, as the log recorded it; empty while nobody has. */
    Optional<String> answeredBy(String taskId);

    /**
     * Whether {@code actor} may change settings and policy: what runs in-process or on the data
     * directory ({@link dev.aios.kernel.Actor#LOCAL}), the kernel itself, or an active token of
     * that name with the {@code admin} scope.
     */
    boolean administers(String actor);
}
