package io.functionsbridge.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.management.GarbageCollectorMXBean;
import com.sun.management.GcInfo;
import com.sun.management.OperatingSystemMXBean;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The throughput benchmark (docs/benchmark.md): one in-JVM broker, one local function server, the
 * same backlog, function latency and in-flight cap for each arm, side by side, in rounds whose arm
 * order alternates. Prints a table per round, a summary with the ratios to the peer, the ceilings,
 * and the ramp after a cold start; writes target/bench/results.json. {@code -Dbench.quick=true}
 * runs small backlogs as a smoke test.
 */
public final class Benchmark {

    static final long RETRY_BACKOFF_MS = 200;
    static final String PEER = "parallel-consumer (KEY)";
    static final String BRIDGE = "functions-bridge";
    /** The workload whose per-event time is the chain floor of (ii)'s bound. */
    static final String CHAIN = "v-one-conversation";

    /** One arm's figures on one workload, in one round. */
    record Result(int round, String workload, String arm, int events, int handled, boolean drained, double seconds,
                  double eventsPerSecond, double bound, long p50Ms, long p99Ms, long p99OthersMs, long p99HotMs,
                  long orderViolations, long duplicates, long peakHeapMb, long peakHeapAfterGcMb, double cpuSeconds,
                  double armCpuMsPerEvent, double armKbPerEvent) {

        Result withBound(double adjusted) {
            return new Result(round, workload, arm, events, handled, drained, seconds, eventsPerSecond, adjusted, p50Ms, p99Ms,
                    p99OthersMs, p99HotMs, orderViolations, duplicates, peakHeapMb, peakHeapAfterGcMb, cpuSeconds,
                    armCpuMsPerEvent, armKbPerEvent);
        }
    }

    /**
     * A workload's ceilings: its bound, and what a dispatcher without overhead reaches with the
     * bridge's read-ahead when it takes events in offset order or busiest conversation first.
     */
    record Ceilings(String workload, double bound, int readAhead, double offsetOrder, double busiestFirst) {

        static Ceilings of(Workload workload) {
            int readAhead = BridgeArm.readAhead(workload);
            return new Ceilings(workload.name(), workload.bound(RETRY_BACKOFF_MS), readAhead,
                    IdealSchedule.eventsPerSecond(workload, readAhead, IdealSchedule.Choice.OLDEST_FIRST),
                    IdealSchedule.eventsPerSecond(workload, readAhead, IdealSchedule.Choice.BUSIEST_FIRST));
        }
    }

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty(Ramp.CHILD) != null) {
            Ramp.child();
            return;
        }
        boolean quick = Boolean.getBoolean("bench.quick");
        quietLogs();
        int scale = quick ? 10 : 1;
        int rounds = Integer.getInteger("bench.rounds", quick ? 1 : 3);
        long naiveSeconds = quick ? 4 : 20;

        List<Workload> workloads = Workload.all(scale);
        Workload heap = Workload.heap(scale);
        String only = System.getProperty("bench.only", "");
        String onlyArm = System.getProperty("bench.arm", "functions,parallel");
        List<Arm> arms = Stream.<Arm>of(new BridgeArm(), new BridgeArm(true, false), new BridgeArm(false, true), new ParallelConsumerArm(),
                        new NaiveCamelArm())
                .filter(arm -> Stream.of(onlyArm.split(",")).anyMatch(prefix -> arm.name().startsWith(prefix.strip())))
                .toList();
        List<Result> results = new ArrayList<>();
        List<Ceilings> ceilings = new ArrayList<>();
        List<Ramp.Curve> ramps = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); BenchFunctionServer server = new BenchFunctionServer()) {
            String bootstrap = broker.bootstrapServers();
            System.out.printf("functions-bridge benchmark%s: broker %s, function %s, %d cores, %d round(s), arms %s%n",
                    quick ? " (quick)" : "", bootstrap, server.url(), Runtime.getRuntime().availableProcessors(), rounds,
                    arms.stream().map(Arm::name).toList());
            boolean ramp = selected(only, "ramp");
            Workload rampWorkload = Workload.ramp(scale);
            if (ramp) {
                // cold: each arm in a JVM of its own, started on the backlog (nothing compiled yet)
                for (Arm arm : arms) {
                    if (!(arm instanceof NaiveCamelArm)) {
                        Ramp.Curve curve = Ramp.cold(bootstrap, server, arm, rampWorkload, "c" + ramps.size());
                        ramps.add(curve);
                        System.out.println("  " + curve.line());
                    }
                }
            }
            int run = 0;
            // every arm runs twice (in turn, then in reverse) before anything is measured, so that no arm
            // pays for the JIT alone, and neither is measured right after its own warm-up only
            int warmupEvents = Integer.getInteger("bench.warmup", 30_000) / scale;
            Workload warmup = new Workload("warmup", "warm-up", Workload.realistic(warmupEvents, Math.max(1, warmupEvents / 5), 9),
                    Workload.LatencyModel.fixed(0), 0, 1000);
            List<Arm> warmupOrder = new ArrayList<>(arms);
            List<Arm> reversed = new ArrayList<>(arms);
            java.util.Collections.reverse(reversed);
            warmupOrder.addAll(reversed);
            for (Arm arm : warmupOrder) {
                boolean timeBoxed = arm instanceof NaiveCamelArm;
                Result result = run(bootstrap, server, arm, warmup, 0, "w" + run++, timeBoxed ? naiveSeconds / 2 : 120);
                System.out.println("  warm-up: " + line(result));
            }
            for (int round = 1; round <= rounds; round++) {
                // the arms take turns going first
                List<Arm> order = new ArrayList<>(arms);
                if (round % 2 == 0) {
                    java.util.Collections.reverse(order);
                }
                System.out.printf("%nround %d of %d: %s%n", round, rounds, order.stream().map(Arm::name).toList());
                for (Workload workload : workloads) {
                    if (!selected(only, workload.name())) {
                        continue;
                    }
                    Ceilings ceiling = Ceilings.of(workload);
                    if (round == 1) {
                        ceilings.add(ceiling);
                    }
                    System.out.printf("%s: %s; bound %s events/s; without overhead (read-ahead %d) %s in offset order, %s busiest first%n",
                            workload.name(), workload.description(), formatBound(ceiling.bound()), ceiling.readAhead(),
                            formatBound(ceiling.offsetOrder()), formatBound(ceiling.busiestFirst()));
                    for (Arm arm : order) {
                        boolean timeBoxed = arm instanceof NaiveCamelArm;
                        long limitSeconds = timeBoxed ? naiveSeconds : drainLimitSeconds(workload);
                        Result result = run(bootstrap, server, arm, workload, round, "r" + run++, limitSeconds);
                        result = chainAdjusted(result, workload, results);
                        results.add(result);
                        System.out.println("  " + line(result));
                    }
                }
            }
            if (ramp) {
                // warm: the bridge started again in this JVM, where the JIT has done its work
                Ramp.Curve curve = Ramp.warm(bootstrap, server, new BridgeArm(), rampWorkload, "w" + run++);
                ramps.add(curve);
                System.out.println("  " + curve.line());
            }
            if (selected(only, heap.name())) {
                System.out.printf("%n%s: %s%n", heap.name(), heap.description());
                Result heapResult = run(bootstrap, server, new BridgeArm(), heap, 1, "r" + run, drainLimitSeconds(heap));
                results.add(heapResult);
                System.out.println("  " + line(heapResult));
            }
        }
        for (int round = 1; round <= rounds; round++) {
            int current = round;
            printTable("Round " + round, results.stream().filter(r -> r.round() == current).toList());
        }
        printSummary(results);
        printJavaScriptSummary(results);
        printExactlyOnceSummary(results);
        printCeilings(ceilings);
        Ramp.print(ramps);
        Path out = Path.of("target", "bench", "results.json");
        Files.createDirectories(out.getParent());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("quick", quick);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("rounds", rounds);
        json.put("retryBackoffMs", RETRY_BACKOFF_MS);
        json.put("results", results);
        json.put("ceilings", ceilings);
        json.put("ramps", ramps);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), json);
        System.out.println("\nwritten: " + out.toAbsolutePath());
        System.exit(0);
    }

    /** Whether -Dbench.only (name prefixes, comma-separated; empty: everything) selects that workload. */
    /**
     * Whether bench.only selects the workload: each of its entries names a workload, or starts the
     * names of those it selects ({@code iv} is {@code iv-zero-latency}; {@code i-realistic} is that
     * one alone, {@code i-realistic-} both at 200 ms and at 1 s).
     */
    private static boolean selected(String only, String workload) {
        return only.isEmpty() || Stream.of(only.split(",")).map(String::strip)
                .anyMatch(entry -> WORKLOAD_NAMES.contains(entry) ? workload.equals(entry) : workload.startsWith(entry));
    }

    /** The workloads' names (their quick sizes are enough to name them). */
    private static final List<String> WORKLOAD_NAMES = Stream.concat(Workload.all(10).stream().map(Workload::name),
            Stream.of("ramp", "heap-200k")).toList();

    static void quietLogs() {
        Configurator.setLevel("io.functionsbridge.output.OutcomeLog", Level.WARN);
        Configurator.setLevel("org.apache.camel", Level.WARN);
        // the peer logs every failed call at ERROR
        Configurator.setLevel("io.confluent", Level.OFF);
    }

    /**
     * (ii)'s bound counts the chain floor: events / (hottest x (latency + floor)), where the floor is
     * the arm's own per-event time on one conversation's chain at 0 ms, measured in the same round.
     */
    private static Result chainAdjusted(Result result, Workload workload, List<Result> earlier) {
        if (!workload.name().startsWith("ii")) {
            return result;
        }
        Optional<Result> chain = earlier.stream()
                .filter(r -> r.round() == result.round() && r.arm().equals(result.arm()) && r.workload().equals(CHAIN) && r.drained())
                .findFirst();
        return chain.map(c -> result.withBound(workload.chainBound(RETRY_BACKOFF_MS, c.seconds() / c.events()))).orElse(result);
    }

    static long drainLimitSeconds(Workload workload) {
        double bound = workload.bound(RETRY_BACKOFF_MS);
        double expected = Double.isInfinite(bound) ? workload.events().size() / 2000.0 : workload.events().size() / bound;
        return Math.max(60, Math.round(expected * 4));
    }

    private static Result run(String bootstrap, BenchFunctionServer server, Arm arm, Workload workload, int round, String prefix,
                              long limitSeconds) throws Exception {
        String in = "bench-" + prefix + "-" + workload.name() + "-in";
        String out = "bench-" + prefix + "-" + workload.name() + "-out";
        createTopics(bootstrap, in, out);
        long[] written = writeBacklog(bootstrap, in, workload);
        server.serve(workload);

        try (OutputWatcher watcher = new OutputWatcher(bootstrap, out, workload)) {
            System.gc();
            HeapSampler heap = new HeapSampler();
            long cpuBefore = processCpuNanos();
            ThreadCpu threads = ThreadCpu.snapshot();
            long startWall = System.currentTimeMillis();
            long start = System.nanoTime();
            long deadline = start + limitSeconds * 1_000_000_000L;
            int events = workload.events().size();
            try (Arm.Running running = arm.start(bootstrap, in, out, server.url(), workload)) {
                ThreadCpu started = ThreadCpu.snapshot();
                long childCpuBefore = running.childCpuNanos();
                watcher.awaitDistinct(events, deadline);
                long end = watcher.distinct() >= events ? watcher.lastOutputNanos() : System.nanoTime();
                double seconds = (end - start) / 1e9;
                double cpu = (processCpuNanos() - cpuBefore) / 1e9;
                int handled = Math.max(1, watcher.distinct());
                long childCpu = running.childCpuNanos() - childCpuBefore;
                double armCpuMs = (threads.armCpuNanos(started) + childCpu) / 1e6 / handled;
                if (childCpu > 0) {
                    System.out.printf(Locale.ROOT, "  of which the processes it started (Node.js): %.3f ms per event%n", childCpu / 1e6 / handled);
                }
                double armKb = threads.armAllocatedBytes(started) / 1024.0 / handled;
                heap.stop();
                long peakHeap = heap.peakUsed() / (1024 * 1024);
                long peakAfterGc = heap.peakAfterGc() / (1024 * 1024);
                if (Boolean.getBoolean("bench.threads")) {
                    System.out.println("  CPU s by thread group (" + arm.name() + ", " + workload.name() + "): " + threads.since());
                    System.out.println("  MB allocated by thread group (" + arm.name() + ", " + workload.name() + "): " + threads.allocatedSince());
                }
                // latency since the event was available to the arm: written, or the arm started, whichever was later
                long[] ts = written.clone();
                for (int i = 0; i < ts.length; i++) {
                    ts[i] = Math.max(ts[i], startWall);
                }
                Set<String> hot = hottest(workload, 10);
                OutputWatcher.LatencyView view = watcher.view(ts);
                return new Result(round, workload.name(), arm.name(), events, watcher.distinct(), watcher.distinct() >= events, seconds,
                        watcher.distinct() / seconds, workload.bound(RETRY_BACKOFF_MS),
                        view.percentile(c -> true, 50), view.percentile(c -> true, 99),
                        view.percentile(c -> !hot.contains(c), 99), view.percentile(hot::contains, 99),
                        watcher.orderViolations(), watcher.duplicates(), peakHeap, peakAfterGc, cpu, armCpuMs, armKb);
            }
        }
    }

    private static Set<String> hottest(Workload workload, int n) {
        return workload.eventsPerConversation().entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(n).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    static long[] writeBacklog(String bootstrap, String topic, Workload workload) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // in order without the idempotent producer: on a loaded machine its sequence numbers were once
        // reset mid-backlog and refused by the broker until the write timed out
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        List<Future<RecordMetadata>> sent = new ArrayList<>(workload.events().size());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (Workload.Event event : workload.events()) {
                String value = "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"" + event.convId()
                        + "\",\"seq\":" + event.seq() + "}}";
                sent.add(producer.send(new ProducerRecord<>(topic, event.convId(), value)));
            }
            producer.flush();
        }
        long[] timestamps = new long[sent.size()];
        for (int i = 0; i < timestamps.length; i++) {
            timestamps[i] = sent.get(i).get().timestamp();
        }
        return timestamps;
    }

    static void createTopics(String bootstrap, String... topics) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> list = new ArrayList<>();
            for (String topic : topics) {
                list.add(new NewTopic(topic, 1, (short) 1));
            }
            admin.createTopics(list).all().get();
        }
    }

    private static long processCpuNanos() {
        return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Samples the heap every 50 ms: the peak in use (garbage included, so it depends on when the
     * collector ran) and the peak left after a collection (what was still reachable: the figure that
     * shows whether the heap is bounded).
     */
    private static final class HeapSampler {
        private final AtomicLong peakUsed = new AtomicLong();
        private final AtomicLong peakAfterGc = new AtomicLong();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "bench-heap");
            thread.setDaemon(true);
            return thread;
        });

        HeapSampler() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .filter(GarbageCollectorMXBean.class::isInstance)
                    .map(GarbageCollectorMXBean.class::cast).toList();
            Map<String, Long> seen = new HashMap<>();
            collectors.forEach(gc -> seen.put(gc.getName(), gc.getCollectionCount()));
            sampler.scheduleAtFixedRate(() -> {
                peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                for (GarbageCollectorMXBean gc : collectors) {
                    GcInfo info = gc.getLastGcInfo();
                    if (info != null && gc.getCollectionCount() > seen.get(gc.getName())) {
                        long after = info.getMemoryUsageAfterGc().entrySet().stream()
                                .filter(pool -> !pool.getKey().contains("Metaspace") && !pool.getKey().contains("Code")
                                        && !pool.getKey().contains("Class"))
                                .mapToLong(pool -> pool.getValue().getUsed()).sum();
                        peakAfterGc.accumulateAndGet(after, Math::max);
                    }
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            sampler.shutdownNow();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
        }

        long peakUsed() {
            return peakUsed.get();
        }

        long peakAfterGc() {
            return peakAfterGc.get();
        }
    }

    static String formatBound(double bound) {
        return Double.isInfinite(bound) ? "unbounded (no latency)" : String.format(Locale.ROOT, "%.0f", bound);
    }

    private static String line(Result r) {
        return String.format(Locale.ROOT, "%-24s %6d/%-6d %s %8.0f ev/s %6s  p50 %6d ms  p99 %6d ms  order violations %d  dup %d  heap %d MB (after GC %s)  cpu %.1f s  arm %.3f ms %.1f KB per event",
                r.arm(), r.handled(), r.events(), r.drained() ? "drained" : "timebox", r.eventsPerSecond(), percentOfBound(r),
                r.p50Ms(), r.p99Ms(), r.orderViolations(), r.duplicates(), r.peakHeapMb(), afterGc(r), r.cpuSeconds(),
                r.armCpuMsPerEvent(), r.armKbPerEvent());
    }

    /** The peak heap after a collection, or "-" when none ran during the measurement. */
    private static String afterGc(Result r) {
        return r.peakHeapAfterGcMb() > 0 ? String.valueOf(r.peakHeapAfterGcMb()) : "-";
    }

    private static String percentOfBound(Result r) {
        return Double.isInfinite(r.bound()) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * r.eventsPerSecond() / r.bound());
    }

    /** The peer's result on the same workload in the same round, if it ran. */
    private static Optional<Result> peerOf(Result r, List<Result> results) {
        return results.stream().filter(p -> p.round() == r.round() && p.workload().equals(r.workload()) && p.arm().equals(PEER)).findFirst();
    }

    private static String ratio(double mine, Optional<Double> peer) {
        return peer.filter(p -> p > 0).map(p -> String.format(Locale.ROOT, "%.2f", mine / p)).orElse("-");
    }

    private static void printTable(String title, List<Result> results) {
        if (results.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println(title);
        System.out.println();
        System.out.println("| workload | arm | events handled | events/s | bound | % of bound | CPU ms / event | KB / event | × peer events/s | × peer CPU | × peer KB | p50 ms | p99 ms | p99 others / hot ms | order violations | duplicates | peak heap after GC MB |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        results.stream().sorted(Comparator.comparing(Result::workload)).forEach(r -> {
            Optional<Result> peer = peerOf(r, results).filter(p -> !p.arm().equals(r.arm()));
            System.out.printf(Locale.ROOT, "| %s | %s | %d/%d%s | %.0f | %s | %s | %.3f | %.1f | %s | %s | %s | %d | %d | %s | %d | %d | %s |%n",
                    r.workload(), r.arm(), r.handled(), r.events(), r.drained() ? "" : " (time-boxed)", r.eventsPerSecond(),
                    formatBound(r.bound()), percentOfBound(r), r.armCpuMsPerEvent(), r.armKbPerEvent(),
                    ratio(r.eventsPerSecond(), peer.map(Result::eventsPerSecond)),
                    ratio(r.armCpuMsPerEvent(), peer.map(Result::armCpuMsPerEvent)),
                    ratio(r.armKbPerEvent(), peer.map(Result::armKbPerEvent)),
                    r.p50Ms(), r.p99Ms(), r.workload().startsWith("ii") ? r.p99OthersMs() + " / " + r.p99HotMs() : "-",
                    r.orderViolations(), r.duplicates(), afterGc(r));
        });
    }

    /** Per workload, the bridge against the peer in every round: the figures the goals are read from. */
    private static void printSummary(List<Result> results) {
        List<Result> bridge = results.stream().filter(r -> r.arm().equals(BRIDGE) && peerOf(r, results).isPresent())
                .sorted(Comparator.comparing(Result::workload).thenComparingInt(Result::round)).toList();
        if (bridge.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("Bridge against the peer, per round (ratios > 1: the bridge has more events/s; < 1: it uses less CPU or memory)");
        System.out.println();
        System.out.println("| workload | round | bridge events/s | peer events/s | × peer events/s | bridge % of bound | peer % of bound | bridge CPU ms / event | peer CPU ms / event | × peer CPU | bridge KB / event | peer KB / event | × peer KB |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Result r : bridge) {
            Result p = peerOf(r, results).orElseThrow();
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %s | %s | %s | %.3f | %.3f | %s | %.1f | %.1f | %s |%n",
                    r.workload(), r.round(), r.eventsPerSecond(), p.eventsPerSecond(), ratio(r.eventsPerSecond(), Optional.of(p.eventsPerSecond())),
                    percentOfBound(r), percentOfBound(p), r.armCpuMsPerEvent(), p.armCpuMsPerEvent(),
                    ratio(r.armCpuMsPerEvent(), Optional.of(p.armCpuMsPerEvent())), r.armKbPerEvent(), p.armKbPerEvent(),
                    ratio(r.armKbPerEvent(), Optional.of(p.armKbPerEvent())));
        }
    }

    /** Per workload, the exactly-once arm against the at-least-once bridge, in every round. */
    private static void printExactlyOnceSummary(List<Result> results) {
        List<Result> exactly = results.stream().filter(r -> r.arm().equals(BridgeArm.EXACTLY_ONCE))
                .sorted(Comparator.comparing(Result::workload).thenComparingInt(Result::round)).toList();
        if (exactly.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("Exactly-once against at-least-once, per round (× > 1: exactly-once has more events/s; latency to a read_committed reader)");
        System.out.println();
        System.out.println("| workload | round | exactly-once events/s | at-least-once events/s | × events/s | exactly-once CPU ms / event | at-least-once CPU ms / event | exactly-once p50 / p99 ms | at-least-once p50 / p99 ms |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Result r : exactly) {
            results.stream().filter(h -> h.arm().equals("functions-bridge") && h.workload().equals(r.workload()) && h.round() == r.round())
                    .findFirst().ifPresent(h -> System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %s | %.3f | %.3f | %d / %d | %d / %d |%n",
                            r.workload(), r.round(), r.eventsPerSecond(), h.eventsPerSecond(),
                            ratio(r.eventsPerSecond(), Optional.of(h.eventsPerSecond())), r.armCpuMsPerEvent(), h.armCpuMsPerEvent(),
                            r.p50Ms(), r.p99Ms(), h.p50Ms(), h.p99Ms()));
        }
    }

    /** Per workload, the JavaScript lambda's arm against the HTTP function's, in every round. */
    private static void printJavaScriptSummary(List<Result> results) {
        List<Result> lambdas = results.stream().filter(r -> r.arm().equals(BridgeArm.JAVASCRIPT))
                .sorted(Comparator.comparing(Result::workload).thenComparingInt(Result::round)).toList();
        if (lambdas.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("The JavaScript lambda against the HTTP function, per round (× > 1: the lambda has more events/s)");
        System.out.println();
        System.out.println("| workload | round | lambda events/s | HTTP events/s | × HTTP events/s | lambda CPU ms / event | HTTP CPU ms / event | lambda KB / event | HTTP KB / event |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (Result r : lambdas) {
            results.stream().filter(h -> h.round() == r.round() && h.workload().equals(r.workload()) && h.arm().equals(BRIDGE)).findFirst()
                    .ifPresent(h -> System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %s | %.3f | %.3f | %.1f | %.1f |%n",
                            r.workload(), r.round(), r.eventsPerSecond(), h.eventsPerSecond(),
                            ratio(r.eventsPerSecond(), Optional.of(h.eventsPerSecond())), r.armCpuMsPerEvent(), h.armCpuMsPerEvent(),
                            r.armKbPerEvent(), h.armKbPerEvent()));
        }
    }

    private static void printCeilings(List<Ceilings> ceilings) {
        if (ceilings.isEmpty()) {
            return;
        }
        System.out.println();
        System.out.println("| workload | bound | read-ahead | without overhead, offset order | without overhead, busiest first |");
        System.out.println("| --- | --- | --- | --- | --- |");
        ceilings.forEach(c -> System.out.printf(Locale.ROOT, "| %s | %s | %d | %s | %s |%n", c.workload(), formatBound(c.bound()),
                c.readAhead(), formatBound(c.offsetOrder()), formatBound(c.busiestFirst())));
    }
}
