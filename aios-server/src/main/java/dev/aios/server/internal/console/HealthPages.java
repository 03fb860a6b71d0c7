package dev.aios.server.internal.console;

import dev.aios.kernel.Kernel;
import dev.aios.memory.MemoryExtension;
import dev.aios.models.ModelsExtension;
import dev.aios.server.internal.WeeklyReview;
import dev.aios.server.internal.console.Access.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;

/** The health page and the weekly review. */
final class HealthPages {
    private final Kernel kernel;
    private final ModelsExtension models;
    private final MemoryExtension memory;
    private final Gate gate;
    private final Pages pages;
    private final Frames frames;
    private final InstantSource clock;

    HealthPages(
            Kernel kernel,
            ModelsExtension models,
            MemoryExtension memory,
            Gate gate,
            Pages pages,
            Frames frames,
            InstantSource clock) {
        this.kernel = kernel;
        this.models = models;
        this.memory = memory;
        this.gate = gate;
        this.pages = pages;
        this.frames = frames;
        this.clock = clock;
    }

    void addTo(RoutesConfig routes) {
        routes.get("/status", gate.page(Scope.READ, this::health), dev.aios.server.Access.SELF);
        routes.get("/review", gate.page(Scope.READ, this::review), dev.aios.server.Access.SELF);
    }

    private void health(Context ctx, Visit visit) {
        var overview = kernel.overview();
        var health = kernel.health();
        var now = clock.instant();
        var lag = health.oldestDue()
                .map(at -> TaskCards.age(Duration.between(at, now)))
                .orElse("none due");
        var data = kernel.dataDirectory();
        var frame = frames.of(visit, "Health", "health", overview.openTasks()).listening("tick");
        pages.render(
                ctx,
                "health.jte",
                new HealthPage(
                        frame,
                        overview,
                        health,
                        lag,
                        memory.stats(),
                        memory.indexState(),
                        data.toAbsolutePath().normalize().toString(),
                        size(data),
                        free(data)));
    }

    private void review(Context ctx, Visit visit) {
        var since = Optional.ofNullable(ctx.queryParam("since"))
                .filter(s -> !s.isBlank())
                .orElse("7d")
                .strip();
        var review = new WeeklyReview(kernel, models, clock).of(since);
        var frame = frames.of(visit, "Weekly review", "review");
        pages.render(
                ctx,
                "review.jte",
                new ReviewPage(
                        frame,
                        since,
                        review.digest(),
                        review.spend(),
                        review.budget().map(java.math.BigDecimal::toPlainString)));
    }

    private static long size(Path directory) {
        try (var files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(file -> {
                        try {
                            return Files.size(file);
                        } catch (IOException e) {
                            return 0; // removed while walking
                        }
                    })
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static long free(Path directory) {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }
}
