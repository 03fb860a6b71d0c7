package dev.aios.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Where the figures were measured: enough to tell two reports apart and to judge the noise.
 *
 * @param cores processors available to the JVM
 * @param cpu the CPU model, when the OS says
 * @param memoryGib physical memory, when the OS says
 * @param jdk the JVM's version and vendor
 * @param os the operating system and architecture
 * @param disk the file system and device holding the data directories, as far as known
 * @param loadBefore the 1, 5 and 15 minute load averages when the benchmark started
 * @param date when the benchmark started
 */
record Machine(
        int cores, String cpu, String memoryGib, String jdk, String os, String disk, String loadBefore, Instant date) {

    /** Describes this machine, with {@code workDirectory} as where the databases live. */
    static Machine describe(Path workDirectory) {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                cpuModel().orElse("unknown"),
                memoryTotal().orElse("unknown"),
                System.getProperty("java.vm.name") + " " + Runtime.version() + " (" + System.getProperty("java.vendor")
                        + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                disk(workDirectory),
                load().orElse("unknown"),
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    /** The load averages now, or "unknown". */
    static String loadNow() {
        return load().orElse("unknown");
    }

    private static Optional<String> cpuModel() {
        return read(Path.of("/proc/cpuinfo")).flatMap(text -> text.lines()
                .filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst());
    }

    private static Optional<String> memoryTotal() {
        return read(Path.of("/proc/meminfo"))
                .flatMap(text ->
                        text.lines().filter(l -> l.startsWith("MemTotal:")).findFirst())
                .map(l -> l.replaceAll("\\D", ""))
                .map(kb -> String.format("%.0f GiB", Long.parseLong(kb) / 1024.0 / 1024.0));
    }

    private static Optional<String> load() {
        return read(Path.of("/proc/loadavg")).map(text -> {
            String[] parts = text.trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        });
    }

    /** The file system type and device; on Linux also what the block layer says about the device. */
    private static String disk(Path dir) {
        try {
            Files.createDirectories(dir);
            var store = Files.getFileStore(dir);
            String description = store.type() + " on " + store.name();
            if (store.name().startsWith("/dev/")) {
                description += blockDevice(store.name().substring("/dev/".length()));
            }
            return description;
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static String blockDevice(String name) {
        Path device = Path.of("/sys/class/block", name);
        if (!Files.exists(device)) {
            return "";
        }
        try {
            Path real = device.toRealPath();
            if (Files.exists(real.resolve("partition"))) {
                real = real.getParent();
            }
            String details = "";
            Optional<String> rotational = read(real.resolve("queue/rotational")).map(String::trim);
            if (rotational.isPresent()) {
                details += rotational.get().equals("1") ? "rotational" : "non-rotational (SSD/NVMe)";
            }
            Path driver = real.resolve("device/driver");
            if (Files.isSymbolicLink(driver)) {
                String d = Files.readSymbolicLink(driver).getFileName().toString();
                details += ", driver " + d;
                if (d.startsWith("virtio")) {
                    details += ": a virtual disk, whose rotational flag says little about the real media";
                }
            }
            return details.isEmpty() ? "" : " (" + details + ")";
        } catch (IOException e) {
            return "";
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
