package dev.aios.kernel.internal.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the playbook directory, and watches it: when a file is added, changed or removed, the
 * playbooks are loaded again, so a saved edit takes effect without a restart.
 */
final class PlaybookWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlaybookWatcher.class);
    private static final long INTERVAL_MILLIS = 2_000;
    /** The largest playbook file read; larger ones are refused without being read. */
    static final long MAX_FILE_BYTES = 4L * dev.aios.kernel.internal.playbook.YamlPlaybookReader.MAX_CODE_POINTS;

    private final Optional<Path> directory;
    private final Runnable reload;
    private volatile boolean running;
    private Thread thread;

    PlaybookWatcher(Optional<Path> directory, Runnable reload) {
        this.directory = directory;
        this.reload = reload;
    }

    void start() {
        if (directory.isEmpty()) {
            return;
        }
        running = true;
        thread = Thread.ofVirtual().name("aios-playbook-watcher").start(this::watch);
    }

    private void watch() {
        String seen = fingerprint(directory.get());
        while (running) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            String now = fingerprint(directory.get());
            if (!now.equals(seen)) {
                seen = now;
                LOG.info("playbooks in {} changed; loading them again", directory.get());
                try {
                    reload.run();
                } catch (RuntimeException e) {
                    LOG.error("loading playbooks failed", e);
                }
            }
        }
    }

    /** The YAML files of {@code directory}, sorted by name; none if it does not exist. */
    static List<Playbooks.Input> read(Path directory) {
        var inputs = new ArrayList<Playbooks.Input>();
        for (Path file : files(directory)) {
            try {
                long size = Files.size(file);
                if (size > MAX_FILE_BYTES) {
                    inputs.add(new Playbooks.Input.Unreadable(
                            file.toString(),
                            "the file is " + size + " bytes; a playbook may be at most " + MAX_FILE_BYTES
                                    + " bytes. Split it, or move large text into agents' templates"));
                    continue;
                }
                inputs.add(new Playbooks.Input.Yaml(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException | UncheckedIOException e) {
                inputs.add(new Playbooks.Input.Yaml(
                        file.toString(), "\t# cannot be read as UTF-8 text: " + e.getMessage()));
            }
        }
        return inputs;
    }

    private static List<Path> files(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(p -> {
                        String name = p.getFileName().toString();
                        return (name.endsWith(".yaml") || name.endsWith(".yml")) && Files.isRegularFile(p);
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            LOG.warn("cannot list playbooks in {}: {}", directory, e.getMessage());
            return List.of();
        }
    }

    private static String fingerprint(Path directory) {
        var out = new StringBuilder();
        for (Path file : files(directory)) {
            try {
                out.append(file.getFileName())
                        .append(':')
                        .append(Files.getLastModifiedTime(file).toMillis())
                        .append(':')
                        .append(Files.size(file))
                        .append(';');
            } catch (IOException e) {
                out.append(file.getFileName()).append(":gone;");
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
