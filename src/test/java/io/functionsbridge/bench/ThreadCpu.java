package io.functionsbridge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import java.util.stream.Collectors;

/**
 * CPU time and bytes allocated per group of threads (names with their numbers taken out) since a
 * snapshot: which part of the process (broker, function server, the arm) used the cores, and how
 * much garbage it made. Bytes allocated depend far less than CPU time on how busy the shared
 * machine is.
 *
 * <p>An arm's own threads are those started after the snapshot (the broker, the function server and
 * the benchmark's own threads were all started before it), less the JVM's compiler and collector
 * threads, which the JVM may add at any time.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> before;
    private final Map<Long, Long> allocatedBefore;

    private ThreadCpu(Map<Long, Long> before, Map<Long, Long> allocatedBefore) {
        this.before = before;
        this.allocatedBefore = allocatedBefore;
    }

    static ThreadCpu snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, Long> allocated = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            cpu.put(id, THREADS.getThreadCpuTime(id));
            allocated.put(id, allocatedBytes(id));
        }
        return new ThreadCpu(cpu, allocated);
    }

    private static long allocatedBytes(long id) {
        return THREADS instanceof com.sun.management.ThreadMXBean hotspot ? hotspot.getThreadAllocatedBytes(id) : 0;
    }

    /**
     * CPU nanoseconds of the threads started since this snapshot (the arm's own), counted from
     * {@code started} (a snapshot taken once the arm had started, so that its start-up is left out).
     */
    long armCpuNanos(ThreadCpu started) {
        return armTotal(THREADS::getThreadCpuTime, started.before);
    }

    /** Bytes allocated by the threads started since this snapshot (the arm's own), counted from {@code started}. */
    long armAllocatedBytes(ThreadCpu started) {
        return armTotal(ThreadCpu::allocatedBytes, started.allocatedBefore);
    }

    private long armTotal(LongUnaryOperator measure, Map<Long, Long> atStart) {
        long total = 0;
        for (long id : THREADS.getAllThreadIds()) {
            if (before.containsKey(id)) {
                continue;
            }
            ThreadInfo info = THREADS.getThreadInfo(id);
            long now = measure.applyAsLong(id);
            if (info != null && now > 0 && !isJvmThread(info.getThreadName())) {
                total += now - Math.max(0, atStart.getOrDefault(id, 0L));
            }
        }
        return total;
    }

    private static boolean isJvmThread(String name) {
        return name.contains("CompilerThread") || name.startsWith("GC ") || name.startsWith("G1 ");
    }

    /** The busiest groups by bytes allocated, in MB, most first. */
    String allocatedSince() {
        Map<String, Long> groups = byGroup(ThreadCpu::allocatedBytes, allocatedBefore);
        long total = groups.values().stream().mapToLong(Long::longValue).sum();
        return String.format(Locale.ROOT, "%.0f MB in all; ", total / 1e6) + busiest(groups, 10_000_000L, "%s %.0f", 1e6);
    }

    /** The busiest groups, in CPU seconds, busiest first. */
    String since() {
        return busiest(byGroup(THREADS::getThreadCpuTime, before), 100_000_000L, "%s %.1f", 1e9);
    }

    /** A per-thread measure since the snapshot, summed by thread name with its numbers taken out; new threads marked +. */
    private static Map<String, Long> byGroup(LongUnaryOperator measure, Map<Long, Long> before) {
        Map<String, Long> groups = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long now = measure.applyAsLong(id);
            if (info == null || now < 0) {
                continue;
            }
            String group = (before.containsKey(id) ? "" : "+") + info.getThreadName().replaceAll("[0-9]+", "N");
            groups.merge(group, now - before.getOrDefault(id, 0L), Long::sum);
        }
        return groups;
    }

    private static String busiest(Map<String, Long> groups, long atLeast, String format, double unit) {
        return groups.entrySet().stream().filter(e -> e.getValue() > atLeast)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, format, e.getKey(), e.getValue() / unit))
                .collect(Collectors.joining("; "));
    }
}
