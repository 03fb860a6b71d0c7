package dev.aios.server.internal.console;

import dev.aios.kernel.Kernel;

/** Makes the frame of each page, with the open-task count of the moment. */
final class Frames {
    private final Kernel kernel;
    private final Frame.Assets assets = Frame.Assets.packaged();

    Frames(Kernel kernel) {
        this.kernel = kernel;
    }

    Frame of(Visit visit, String title, String nav) {
        return visit.frame(title, nav, openTasks(), assets);
    }

    Frame of(Visit visit, String title, String nav, long openTasks) {
        return visit.frame(title, nav, openTasks, assets);
    }

    /** Open tasks; 0 when they cannot be counted (an error page must still render). */
    long openTasks() {
        try {
            return kernel.openTasksByKind().values().stream()
                    .mapToLong(Long::longValue)
                    .sum();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    Frame.Assets assets() {
        return assets;
    }
}
