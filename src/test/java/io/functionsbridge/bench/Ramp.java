package io.functionsbridge.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The first seconds after a start on a backlog: events/s in each of the first 30 seconds. Cold: the
 * arm in a JVM of its own, started on the backlog (the JIT has compiled nothing yet, as after a
 * deploy or a crash). Warm: the bridge started again in the benchmark's JVM, after everything ran,
 * so that what remains of the ramp is what the bridge's own start-up costs, not the JIT's.
 */
final class Ramp {

    /** Set in the child JVM of a cold start: the name of the arm it runs. */
    static final String CHILD = "bench.ramp.child";
    static final int SECONDS = 30;

    /**
     * One start: per second since the start, the events whose output was written in it.
     *
     * @param firstOutputMs ms from the start to the first output
     * @param drainedMs     ms from the start to the last output, or -1 if not drained
     */
    record Curve(String arm, String start, int events, int handled, long firstOutputMs, long drainedMs, int[] perSecond) {

        String line() {
            return String.format(Locale.ROOT, "ramp (%s start) %-24s first output after %d ms, %s; events/s by second: %s",
                    start, arm, firstOutputMs, drainedMs < 0 ? handled + "/" + events + " handled" : "drained in " + drainedMs + " ms",
                    java.util.Arrays.toString(perSecond));
        }
    }

    private Ramp() {
    }

    /** Starts the arm in a new JVM on the workload's backlog, and measures its first seconds. */
    static Curve cold(String bootstrap, BenchFunctionServer server, Arm arm, Workload workload, String prefix) throws Exception {
        String in = backlog(bootstrap, server, workload, prefix);
        String out = "bench-" + prefix + "-ramp-out";
        Path log = Path.of("target", "bench", "ramp-" + prefix + ".log");
        Files.createDirectories(log.getParent());
        try (OutputWatcher watcher = new OutputWatcher(bootstrap, out, workload)) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx4g",
                    // e.g. a profiler agent for the child: -Dbench.jvm=-Dbench.ramp.jvm=-agentpath:...
                    System.getProperty("bench.ramp.jvm", "-Dbench.ramp.jvm=default"),
                    "-cp", System.getProperty("java.class.path"),
                    "-D" + CHILD + "=" + arm.name(), "-Dbench.ramp.bootstrap=" + bootstrap, "-Dbench.ramp.in=" + in,
                    "-Dbench.ramp.out=" + out, "-Dbench.ramp.url=" + server.url(), "-Dbench.quick=" + Boolean.getBoolean("bench.quick"),
                    Benchmark.class.getName()));
            long start = System.currentTimeMillis();
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                return measure(watcher, arm.name(), "cold", workload, start);
            } finally {
                child.destroy();
                if (!child.waitFor(20, TimeUnit.SECONDS)) {
                    child.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** Starts the arm in this JVM on the workload's backlog, and measures its first seconds. */
    static Curve warm(String bootstrap, BenchFunctionServer server, Arm arm, Workload workload, String prefix) throws Exception {
        String in = backlog(bootstrap, server, workload, prefix);
        String out = "bench-" + prefix + "-ramp-out";
        try (OutputWatcher watcher = new OutputWatcher(bootstrap, out, workload)) {
            long start = System.currentTimeMillis();
            try (Arm.Running running = arm.start(bootstrap, in, out, server.url(), workload)) {
                return measure(watcher, arm.name(), "warm", workload, start);
            }
        }
    }

    /** The ramp's topics, its backlog written to the input topic (returned), and the function serving it. */
    private static String backlog(String bootstrap, BenchFunctionServer server, Workload workload, String prefix) throws Exception {
        String in = "bench-" + prefix + "-ramp-in";
        Benchmark.createTopics(bootstrap, in, "bench-" + prefix + "-ramp-out");
        Benchmark.writeBacklog(bootstrap, in, workload);
        server.serve(workload);
        return in;
    }

    /** Waits until the backlog is drained or the curve's seconds have passed, then reads the curve. */
    private static Curve measure(OutputWatcher watcher, String arm, String kind, Workload workload, long start) throws InterruptedException {
        int events = workload.events().size();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(start + (SECONDS + 5) * 1000L - System.currentTimeMillis());
        watcher.awaitDistinct(events, deadline);
        long[] outputs = watcher.outputTimestamps();
        int[] perSecond = new int[SECONDS];
        long first = Long.MAX_VALUE;
        long last = -1;
        for (long written : outputs) {
            if (written < 0) {
                continue;
            }
            long since = Math.max(0, written - start);
            first = Math.min(first, since);
            last = Math.max(last, since);
            if (since < SECONDS * 1000L) {
                perSecond[(int) (since / 1000)]++;
            }
        }
        int handled = watcher.distinct();
        return new Curve(arm, kind, events, handled, first == Long.MAX_VALUE ? -1 : first, handled >= events ? last : -1, perSecond);
    }

    /** The child JVM of a cold start: runs the arm until it is stopped. */
    static void child() throws Exception {
        Benchmark.quietLogs();
        // the child's log (target/bench/ramp-*.log) says how long its start took
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.camel.impl.engine.AbstractCamelContext",
                org.apache.logging.log4j.Level.INFO);
        System.out.println("JVM started " + (System.currentTimeMillis()
                - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) + " ms ago");
        String name = System.getProperty(CHILD);
        Arm arm = Stream.<Arm>of(new BridgeArm(), new ParallelConsumerArm()).filter(a -> a.name().equals(name)).findFirst().orElseThrow();
        Workload workload = Workload.ramp(Boolean.getBoolean("bench.quick") ? 10 : 1);
        arm.start(System.getProperty("bench.ramp.bootstrap"), System.getProperty("bench.ramp.in"), System.getProperty("bench.ramp.out"),
                System.getProperty("bench.ramp.url"), workload);
        // the parent stops this JVM once it has read the curve; at the latest, it ends itself
        new CountDownLatch(1).await(5, TimeUnit.MINUTES);
        System.exit(0);
    }

    /** The curves side by side: one row per second. */
    static void print(List<Curve> curves) {
        if (curves.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("Events/s in each second after the start, on a " + curves.get(0).events() + "-event backlog (200 ms functions, cap 1000)");
        System.out.println();
        StringBuilder header = new StringBuilder("| second |");
        StringBuilder rule = new StringBuilder("| --- |");
        for (Curve curve : curves) {
            header.append(' ').append(curve.arm()).append(", ").append(curve.start()).append(" start |");
            rule.append(" --- |");
        }
        System.out.println(header);
        System.out.println(rule);
        for (int second = 0; second < SECONDS; second++) {
            StringBuilder row = new StringBuilder("| " + (second + 1) + " |");
            for (Curve curve : curves) {
                row.append(' ').append(curve.perSecond()[second]).append(" |");
            }
            System.out.println(row);
        }
        StringBuilder first = new StringBuilder("| first output, ms |");
        StringBuilder drained = new StringBuilder("| drained, ms |");
        for (Curve curve : curves) {
            first.append(' ').append(curve.firstOutputMs()).append(" |");
            drained.append(' ').append(curve.drainedMs() < 0 ? "not in " + SECONDS + " s" : String.valueOf(curve.drainedMs())).append(" |");
        }
        System.out.println(first);
        System.out.println(drained);
    }
}
