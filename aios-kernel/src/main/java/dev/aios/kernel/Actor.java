package dev.aios.kernel;

import java.util.Objects;

/**
 * Who the current thread acts for, as the audit log records operator and admin actions: a server
 * sets the name of the token of each request; what runs without a name is {@link #LOCAL}.
 *
 * <pre>{@code
 * Actor.begin(caller.name());
 * try {
 *     kernel.approve(taskId, Optional.empty(), "fine");
 * } finally {
 *     Actor.end();
 * }
 * }</pre>
 */
public final class Actor {
    /** Who acts in-process or through the command line on a stopped data directory. */
    public static final String LOCAL = "local";

    /** What the kernel does by itself, e.g. reloading a changed playbook file. */
    public static final String KERNEL = "kernel";

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private Actor() {}

    /** The current thread acts for {@code name} until {@link #end()}. */
    public static void begin(String name) {
        CURRENT.set(Objects.requireNonNull(name, "name"));
    }

    /** The current thread acts for nobody in particular again ({@link #LOCAL}). */
    public static void end() {
        CURRENT.remove();
    }

    /** Who the current thread acts for. */
    public static String current() {
        var name = CURRENT.get();
        return name == null ? LOCAL : name;
    }
}
