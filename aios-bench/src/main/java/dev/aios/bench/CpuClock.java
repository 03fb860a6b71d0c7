package dev.aios.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time used so far, by the whole process, by the kernel's single writer thread and by the JIT
 * compiler's threads. CPU time is far less disturbed by other tenants of a shared machine than
 * wall-clock throughput, so CPU per step is the steadiest figure this benchmark has; the compiler's
 * share says whether a window measured the kernel or the JVM still compiling it.
 */
final class CpuClock {
    /** The name the kernel gives its writer thread; when it changes, the writer column stays empty. */
    static final String WRITER_THREAD = "aios-writer";

    /** HotSpot's compiler threads, as Linux names them (15 characters at most): C1 and C2 ones. */
    private static final String COMPILER_THREAD = " CompilerThre";

    private static final Path TASKS = Path.of("/proc/self/task");

    /**
     * CPU nanoseconds at one instant; {@code writer} is empty when the thread cannot be found, {@code jit}
     * where the system does not show the compiler's threads (anything but Linux).
     */
    record Reading(long process, OptionalLong writer, OptionalLong jit) {}

    private CpuClock() {}

    static Reading now() {
        return new Reading(processCpu(), writerCpu(), jitCpu());
    }

    private static long processCpu() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static OptionalLong writerCpu() {
        var threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            return OptionalLong.empty();
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(WRITER_THREAD)) {
                long nanos = threads.getThreadCpuTime(t.threadId());
                return nanos < 0 ? OptionalLong.empty() : OptionalLong.of(nanos);
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The JIT compiler threads' CPU so far. They are no Java threads the management API lists, so they
     * are read from {@code /proc}: each thread's name, and the first field of its {@code schedstat}
     * (nanoseconds on a CPU). A thread the JVM has let go since the last reading takes its time with it,
     * which HotSpot does only for compiler threads idle for a while, so a difference of two readings
     * may miss a little.
     */
    static OptionalLong jitCpu() {
        if (!Files.isDirectory(TASKS)) {
            return OptionalLong.empty();
        }
        long nanos = 0;
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).contains(COMPILER_THREAD)) {
                        String schedstat =
                                Files.readString(task.resolve("schedstat")).trim();
                        nanos += Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended between listing and reading
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(nanos);
    }
}
