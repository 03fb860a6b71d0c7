package dev.aios.server.internal.backup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aios.api.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backups on a schedule while aios runs, from the {@code backup:} section of {@code aios.yaml}: one
 * archive every {@code every} into the directory {@code to}, named by the time it was taken, and
 * only the newest {@code keep} archives kept. A backup that fails is logged with its reason and
 * tried again at the next time; it never stops aios.
 *
 * <pre>{@code
 * backup:
 *   every: 1d
 *   to: backups      # relative to the working directory
 *   keep: 7
 * }</pre>
 */
public final class BackupSchedule implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupSchedule.class);
    private static final DateTimeFormatter NAME =
            DateTimeFormatter.ofPattern("'aios-'uuuuMMdd'T'HHmmss'Z.zip'").withZone(ZoneOffset.UTC);
    private static final Pattern ARCHIVE = Pattern.compile("aios-\\d{8}T\\d{6}Z\\.zip");

    /** The shortest time between two scheduled backups. */
    public static final Duration SHORTEST = Duration.ofSeconds(1);

    /**
     * What {@code backup:} says.
     *
     * @param withMasterKey whether {@code master.key} goes into the archives ({@code masterKey:
     *     included}, the default) or is left to the operator to keep apart ({@code separate})
     */
    public record Settings(Duration every, Path directory, int keep, boolean withMasterKey) {
        /** Checks the values. */
        public Settings {
            if (every.compareTo(SHORTEST) < 0) {
                throw new IllegalArgumentException(
                        "backup.every must be " + SHORTEST.toSeconds() + "s or more, not " + every.toSeconds() + "s");
            }
            if (keep < 1) {
                throw new IllegalArgumentException("backup.keep must be 1 or more, not " + keep);
            }
        }

        /**
         * The settings of a {@code backup:} section; empty when the section is empty.
         *
         * @throws IllegalArgumentException when a value is missing or not right
         */
        public static Optional<Settings> of(JsonNode section) {
            if (section.isEmpty()) {
                return Optional.empty();
            }
            if (!section.hasNonNull("to")) {
                throw new IllegalArgumentException("backup.to is missing: name the directory the backups go to");
            }
            var masterKey = section.path("masterKey").asText("included");
            if (!masterKey.equals("included") && !masterKey.equals("separate")) {
                throw new IllegalArgumentException(
                        "backup.masterKey must be included or separate, not '" + masterKey + "'");
            }
            return Optional.of(new Settings(
                    Durations.parse(section.path("every").asText("1d"), "backup.every"),
                    Path.of(section.path("to").asText()),
                    section.path("keep").asInt(7),
                    masterKey.equals("included")));
        }
    }

    private final Path dataDirectory;
    private final Optional<Path> settingsFile;
    private final Settings settings;
    private final String version;
    private final InstantSource clock;
    private final ScheduledExecutorService timer;

    /** A schedule that has not started; {@link #start()} starts it. */
    public BackupSchedule(
            Path dataDirectory, Optional<Path> settingsFile, Settings settings, String version, InstantSource clock) {
        this.dataDirectory = dataDirectory;
        this.settingsFile = settingsFile;
        this.settings = settings;
        this.version = version;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("aios-backups").daemon().factory());
    }

    /** Takes the first backup after one interval, and then one every interval. */
    public BackupSchedule start() {
        long every = settings.every().toMillis();
        timer.scheduleWithFixedDelay(this::backUpQuietly, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    /** Takes one backup now and removes the oldest beyond {@code keep}; returns the new archive. */
    public Path backUpNow() {
        var archive = settings.directory().resolve(NAME.format(clock.instant()));
        BackupArchive.create(
                dataDirectory, settingsFile, archive, settings.withMasterKey(), version, clock, (done, total) -> {});
        prune();
        return archive;
    }

    /** The scheduled archives in the backup directory, oldest first. */
    public List<Path> archives() {
        if (!Files.isDirectory(settings.directory())) {
            return List.of();
        }
        try (var listing = Files.list(settings.directory())) {
            return listing.filter(file ->
                            ARCHIVE.matcher(file.getFileName().toString()).matches())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BackupException("cannot list the backups in " + settings.directory() + ": " + e.getMessage(), e);
        }
    }

    private void prune() {
        var archives = archives();
        for (var old : archives.subList(0, Math.max(0, archives.size() - settings.keep()))) {
            try {
                Files.deleteIfExists(old);
            } catch (IOException e) {
                LOG.warn("cannot remove the old backup {}: {}; remove it by hand", old, e.getMessage());
            }
        }
    }

    private void backUpQuietly() {
        try {
            var archive = backUpNow();
            LOG.info("backed up to {}", archive);
        } catch (RuntimeException e) {
            LOG.error(
                    "the scheduled backup failed: {}; aios goes on and tries again in {}",
                    e.getMessage(),
                    settings.every());
        }
    }

    /** Stops the schedule; a backup in progress finishes first. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
