package io.functionsbridge.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time per group of threads (names with their numbers taken out) since a snapshot: which part
 * of the process (broker, function server, the arm) used the cores. {@code -Dbench.threads=true}.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> before;

    private ThreadCpu(Map<Long, Long> before) {
        this.before = before;
    }

    static ThreadCpu snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            cpu.put(id, THREADS.getThreadCpuTime(id));
        }
        return new ThreadCpu(cpu);
    }

    /** The busiest groups, in CPU seconds, busiest first. */
    String since() {
        Map<String, Long> groups = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long now = THREADS.getThreadCpuTime(id);
            if (info == null || now < 0) {
                continue;
            }
            String group = info.getThreadName().replaceAll("[0-9]+", "N");
            groups.merge(group, now - before.getOrDefault(id, 0L), Long::sum);
        }
        Map<String, Long> sorted = groups.entrySet().stream().filter(e -> e.getValue() > 100_000_000L)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        return sorted.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / 1e9))
                .collect(Collectors.joining("; "));
    }
}
