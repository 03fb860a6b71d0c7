package dev.aios.bench;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * CPU time used so far, by the whole process and by the kernel's single writer thread. CPU time is
 * far less disturbed by other tenants of a shared machine than wall-clock throughput, so CPU per
 * step is the steadiest figure this benchmark has.
 */
final class CpuClock {
    /** The name the kernel gives its writer thread; when it changes, the writer column stays empty. */
    static final String WRITER_THREAD = "aios-writer";

    /** CPU nanoseconds at one instant; {@code writer} is empty when the thread cannot be found. */
    record Reading(long process, OptionalLong writer) {}

    private CpuClock() {}

    static Reading now() {
        return new Reading(processCpu(), writerCpu());
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
}
