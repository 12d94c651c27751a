package io.functionsbridge.javascript;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a process holds in memory (its resident set, as Linux counts it), and with the processes it started. */
public final class ProcessMemory {

    /**
     * What Node.js itself takes beside its lambda instances' capped memory (docs/javascript.md): the
     * process's own heap (capped at 128 MB), its code, and each worker's isolate outside its heap.
     */
    public static final long NODE_OVERHEAD_MB = 192;

    private ProcessMemory() {
    }

    /** The process's resident set in KB (0 when it is gone, or not on Linux). */
    public static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    /** The process's resident set with that of every process it started, in KB. */
    public static long treeRssKb(long pid) {
        return ProcessHandle.of(pid).map(process -> rssKb(pid) + process.descendants().mapToLong(child -> rssKb(child.pid())).sum())
                .orElse(0L);
    }
}
