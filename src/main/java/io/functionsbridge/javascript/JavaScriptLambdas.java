package io.functionsbridge.javascript;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.domain.LambdaCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs JavaScript lambdas in a Node.js process of their own ({@link LambdaProcess}, lambda-host.js),
 * which the bridge starts when a lambda first needs it, and starts again when it dies.
 *
 * <p>Each lambda version has one warm instance there: a worker thread, whose heap is capped at
 * {@code maxMemoryMb}. Runs share it as Node's event loop does. An instance that runs out of its
 * memory, crashes, or computes past a run's timeout is ended by the host, with its runs in progress
 * (they fail as crashed attempts, and the redelivery policy retries them); the next run makes a new
 * one. An attempt's timeout runs from when it is asked for, whether it is waiting for its instance to
 * load or running.
 *
 * <p>The bridge's heap holds a run's input and its result, nothing else of a lambda's. A run's end
 * continues its route on a pool of the runtime's own, and a secret a run asks for is read or written
 * on a thread of its own: neither on the threads that read and write the process. One lock guards
 * the process, its instances and the order of what is sent to it (an instance's load, its runs,
 * its drop).
 */
final class JavaScriptLambdas implements AutoCloseable {

    static final String CUSTOM_FAILURE = "com.liveperson.faas.handler.custom-failure";
    static final String RUNTIME_EXCEPTION = "com.liveperson.faas.handler.runtime-exception";
    static final String TIME_EXCEEDED = "com.liveperson.faas.handler.executiontime-exceeded";

    /** The platform's log limits per invocation (applied in lambda-host.js). */
    static final int MAX_LOG_ENTRIES = 10;
    static final int MAX_LOG_CHARS = 6_000;

    /** How long past its timeout a run waits for the host's answer before it is failed here. */
    private static final long GRACE_MS = 2_000;
    /** A host this late with every answer is stuck: it is killed, and started again. */
    private static final long STUCK_MS = 10_000;
    private static final long SWEEP_MS = 250;

    private static final Logger LOG = LoggerFactory.getLogger(JavaScriptLambdas.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final int maxMemoryMb;
    private final int maxReplyBytes;
    private final ExecutorService outcomes;
    private final ExecutorService secrets;
    private final ScheduledExecutorService clock;
    private final Map<LambdaCode, Instance> instances = new ConcurrentHashMap<>();
    private final Map<Long, Instance> instancesById = new ConcurrentHashMap<>();
    private final Map<Long, Run> runs = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    // the process and its state, under this object's lock (read without it where only a snapshot is needed)
    private volatile Set<LambdaCode> inForce;
    private final Map<LambdaCode, Long> loadTimeouts = new HashMap<>();
    private volatile LambdaProcess process;
    private String unavailable;
    private boolean checked;
    private String startFailure;
    private volatile boolean closed;
    private long restartDelayMs;
    private boolean restartPending;
    private volatile long lastFrameNanos = System.nanoTime();

    /**
     * @param node          the Node.js executable (bridge.javascript.node)
     * @param maxMemoryMb   what one instance may hold (bridge.javascript.max-memory-mb)
     * @param maxReplyBytes the longest HTTP answer a lambda reads, and the longest result (bridge.invoke.max-reply-bytes)
     */
    JavaScriptLambdas(String node, int maxMemoryMb, int maxReplyBytes) {
        this.node = node;
        this.maxMemoryMb = maxMemoryMb;
        this.maxReplyBytes = maxReplyBytes;
        AtomicInteger count = new AtomicInteger();
        this.outcomes = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), runnable -> {
            Thread thread = new Thread(runnable, "javascript-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.secrets = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "javascript-secrets");
            thread.setDaemon(true);
            return thread;
        });
        this.clock = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "javascript-clock");
            thread.setDaemon(true);
            return thread;
        });
        this.clock.scheduleWithFixedDelay(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    }

    /** Why the lambdas cannot run on this host (no Node.js, or too old), or {@code null} when they can. */
    String unavailable() {
        synchronized (this) {
            if (process == null && unavailable == null && !checked) {
                checked = true;
                unavailable = LambdaProcess.unavailable(node);
            }
            return unavailable;
        }
    }

    /**
     * Loads the lambda into a warm instance, as a run is loaded (its top level within that timeout
     * and the memory cap): completes with {@code null}, or with why it does not load. A version
     * that has a warm instance already is not loaded again.
     */
    CompletableFuture<String> load(LambdaCode code, long timeoutMs) {
        synchronized (this) {
            loadTimeouts.put(code, timeoutMs);
            LambdaProcess host = host();
            if (host == null) {
                return CompletableFuture.completedFuture(why());
            }
            return instanceOf(code, timeoutMs, host).loaded.thenApply(failure -> failure == null ? null
                    : "source " + code.folder().resolve("index.js") + " does not load: " + failure);
        }
    }

    /**
     * Runs the lambda once with that input (the envelope's JSON). Completes with its result or its
     * failure, never exceptionally: a lambda's failure is a value, as it is the platform's answer.
     */
    CompletableFuture<LambdaOutcome> invoke(LambdaCode code, byte[] inputJson, long timeoutMs) {
        Run run = new Run(ids.incrementAndGet(), timeoutMs);
        synchronized (this) {
            LambdaProcess host = host();
            if (host == null) {
                run.fail(RUNTIME_EXCEPTION, why());
                return run.outcome;
            }
            // the instance found, the run sent to it, and its drop if any, in the order the host reads them
            Instance instance = instanceOf(code, timeoutMs, host);
            run.instance = instance;
            runs.put(run.id, run);
            host.send("{\"t\":\"run\",\"i\":" + instance.id + ",\"r\":" + run.id + ",\"timeoutMs\":" + timeoutMs + "}", inputJson);
            if (!isInForce(code)) {
                // a version replaced since its event started: its run finishes on it, and the instance ends after
                drop(instance);
            }
        }
        return run.outcome;
    }

    /** Keeps warm instances of these versions only (the registry in force): the others end once their runs have. */
    void retain(Collection<LambdaCode> versions) {
        synchronized (this) {
            inForce = Set.copyOf(versions);
            loadTimeouts.keySet().retainAll(inForce);
            for (Instance instance : List.copyOf(instances.values())) {
                if (!inForce.contains(instance.code)) {
                    drop(instance);
                }
            }
        }
    }

    /** How many instances are warm now: one per lambda version in force that has run or loaded. */
    synchronized int warmInstances() {
        return instances.size();
    }

    private boolean isInForce(LambdaCode code) {
        Set<LambdaCode> known = inForce;
        return known == null || known.contains(code);
    }

    /** Why no run can be made now. */
    private String why() {
        if (unavailable != null) {
            return unavailable;
        }
        return startFailure != null ? startFailure : "the lambda runtime (Node.js) is starting again";
    }

    /** The instance takes no new run, and ends once its runs have (the host then says it is gone). Under the lock. */
    private void drop(Instance instance) {
        if (instances.remove(instance.code, instance) && instance.host == process) {
            instance.host.send("{\"t\":\"drop\",\"i\":" + instance.id + "}", null);
        }
    }

    /**
     * The process, started if it is not running: null when Node.js is missing, or the process is
     * to start again after a pause. Under the lock.
     */
    private LambdaProcess host() {
        if (process == null && !closed && !restartPending && unavailable() == null) {
            try {
                process = LambdaProcess.start(node, new Receiver());
                startFailure = null;
                lastFrameNanos = System.nanoTime();
            } catch (IOException e) {
                startFailure = "the lambda runtime (Node.js, '" + node + "') could not start: " + e.getMessage();
                LOG.warn("{}; it is tried again", startFailure);
                scheduleRestart(0);
            }
        }
        return process;
    }

    /** The warm instance of that version, made (its load sent) when it has none. Under the lock. */
    private Instance instanceOf(LambdaCode code, long timeoutMs, LambdaProcess host) {
        Instance found = instances.get(code);
        if (found != null && found.host == host) {
            return found;
        }
        Instance made = new Instance(ids.incrementAndGet(), code, host);
        instancesById.put(made.id, made);
        instances.put(code, made);
        ObjectNode header = JSON.createObjectNode().put("t", "load").put("i", made.id).put("name", code.name())
                .put("module", code.module()).put("memoryMb", maxMemoryMb).put("timeoutMs", timeoutMs).put("maxReplyBytes", maxReplyBytes);
        ObjectNode env = header.putObject("env");
        code.env().forEach(env::put);
        code.whitelist().forEach(header.putArray("whitelist")::add);
        host.send(header.toString(), code.source().getBytes(StandardCharsets.UTF_8));
        return made;
    }

    /**
     * What the process writes, on its reader thread: a run's end goes to the pool that continues
     * the run's route, a secret to the secrets' own thread; the reader thread runs neither.
     */
    private final class Receiver implements LambdaProcess.Receiver {
        @Override
        public void frame(JsonNode header, String body) {
            lastFrameNanos = System.nanoTime();
            switch (header.path("t").asText()) {
                case "done" -> {
                    Run run = runs.remove(header.path("r").asLong());
                    if (run != null) {
                        outcomes.execute(() -> run.done(header, body));
                    }
                }
                case "loaded" -> {
                    Instance instance = instancesById.get(header.path("i").asLong());
                    if (instance != null) {
                        instance.loaded.complete(null);
                    }
                }
                case "loadFailed" -> instanceEnded(header.path("i").asLong(), header.path("message").asText(), true);
                case "ended" -> instanceEnded(header.path("i").asLong(), header.path("message").asText(), false);
                case "dropped" -> instancesById.remove(header.path("i").asLong());
                case "secret" -> secrets.execute(() -> secret(header, body));
                default -> LOG.debug("the lambda runtime wrote an unknown frame {}", header);
            }
        }

        @Override
        public void ended(String why) {
            hostEnded(why);
        }
    }

    /**
     * The instance's first load failed (it is dropped: a registry that refuses it keeps none), or one
     * of its workers ended (its runs failed; the next run makes another).
     */
    private void instanceEnded(long id, String why, boolean loading) {
        Instance instance = instancesById.get(id);
        if (instance == null) {
            return;
        }
        if (loading) {
            instance.loaded.complete(why);
            synchronized (this) {
                drop(instance);
            }
        } else {
            LOG.warn("lambda {}: its instance ended ({}); its next run starts a new one", instance.code.name(), why);
        }
    }

    /** A run asks for a secret of its settings.json, or updates one: answered from the file, on the secrets' thread. */
    private void secret(JsonNode header, String value) {
        Instance instance = instancesById.get(header.path("i").asLong());
        if (instance == null || instance.host != process) {
            return;
        }
        ObjectNode answer = JSON.createObjectNode().put("t", "answer").put("i", instance.id).put("c", header.path("c").asLong());
        String found = null;
        try {
            LambdaSettings settings = LambdaSettings.of(instance.code.settingsFile());
            if ("update".equals(header.path("op").asText())) {
                settings.updateSecret(header.path("key").asText(), value == null ? "" : value);
            } else {
                found = settings.secret(header.path("key").asText()).orElse(null);
            }
            answer.put("ok", true).put("found", found != null);
        } catch (RuntimeException e) {
            answer.put("ok", false).put("message", String.valueOf(e.getMessage()));
        }
        instance.host.send(answer.toString(), found == null ? null : found.getBytes(StandardCharsets.UTF_8));
    }

    /** The process ended: its runs fail (and are retried), and it starts again, at once if it ran a while, else after a pause. */
    private void hostEnded(String why) {
        List<Run> failed = new ArrayList<>();
        synchronized (this) {
            LambdaProcess ended = process;
            process = null;
            if (closed) {
                return;
            }
            LOG.warn("the lambda runtime (Node.js) ended: {}; its runs fail and are retried, and it starts again", why);
            for (Instance instance : List.copyOf(instancesById.values())) {
                if (instance.host == ended) {
                    instancesById.remove(instance.id);
                    instances.remove(instance.code, instance);
                    instance.loaded.complete("the lambda runtime ended: " + why);
                }
            }
            for (Run run : List.copyOf(runs.values())) {
                if (run.instance == null || run.instance.host == ended) {
                    if (runs.remove(run.id, run)) {
                        failed.add(run);
                    }
                }
            }
            scheduleRestart(ended == null ? 0 : ended.uptimeMillis());
        }
        for (Run run : failed) {
            outcomes.execute(() -> run.fail(RUNTIME_EXCEPTION, "the lambda runtime (Node.js) ended: " + why));
        }
    }

    /** A restart after a pause: 100 ms after a process that ran a while, else twice the last pause (0.5 to 10 s). Under the lock. */
    private void scheduleRestart(long uptimeMillis) {
        restartDelayMs = uptimeMillis > 30_000 ? 100 : Math.min(10_000, Math.max(500, restartDelayMs * 2));
        restartPending = true;
        clock.schedule(this::restart, restartDelayMs, TimeUnit.MILLISECONDS);
    }

    /** Starts the process again, with warm instances of the versions in force (each loaded within its function's timeout). */
    private void restart() {
        synchronized (this) {
            restartPending = false;
            LambdaProcess host = host();
            Set<LambdaCode> versions = inForce;
            if (host != null && versions != null) {
                versions.forEach(code -> instanceOf(code, loadTimeouts.getOrDefault(code, (long) JavaScriptFunctions.MAX_LAMBDA_MS), host));
            }
        }
    }

    /**
     * Fails the runs the host has not answered well past their timeout (it answers every run at its
     * timeout); a host that has written nothing for 10 s while runs are that late is stuck, and is
     * killed so that it starts again.
     */
    private void sweep() {
        long now = System.nanoTime();
        boolean late = false;
        for (Run run : runs.values()) {
            long lateMs = TimeUnit.NANOSECONDS.toMillis(now - run.deadline);
            if (lateMs > GRACE_MS && runs.remove(run.id, run)) {
                late = true;
                outcomes.execute(() -> run.fail(TIME_EXCEEDED, "the lambda ran for more than its " + run.timeoutMs
                        + " ms, and the lambda runtime did not answer"));
            }
        }
        LambdaProcess host = process;
        if (late && host != null && TimeUnit.NANOSECONDS.toMillis(now - lastFrameNanos) > STUCK_MS) {
            LOG.warn("the lambda runtime (Node.js) answers no run: it is killed, and starts again");
            host.kill();
        }
    }

    /** The process id of the Node.js process, or -1 when none runs. */
    long processId() {
        LambdaProcess host = process;
        return host == null ? -1 : host.pid();
    }

    @Override
    public void close() {
        LambdaProcess host;
        synchronized (this) {
            closed = true;
            host = process;
            process = null;
        }
        clock.shutdownNow();
        if (host != null) {
            host.close();
        }
        for (Run run : List.copyOf(runs.values())) {
            run.fail(RUNTIME_EXCEPTION, "the bridge is stopping");
        }
        runs.clear();
        outcomes.shutdown();
        secrets.shutdown();
    }

    /** One warm instance of a lambda version, in one process. */
    private static final class Instance {
        final long id;
        final LambdaCode code;
        final LambdaProcess host;
        /** {@code null} once loaded, or why it did not load. */
        final CompletableFuture<String> loaded = new CompletableFuture<>();

        Instance(long id, LambdaCode code, LambdaProcess host) {
            this.id = id;
            this.code = code;
            this.host = host;
        }
    }

    /** One run: its deadline, and how it ended. */
    private static final class Run {
        final long id;
        final long timeoutMs;
        final long deadline;
        final CompletableFuture<LambdaOutcome> outcome = new CompletableFuture<>();
        volatile Instance instance;

        Run(long id, long timeoutMs) {
            this.id = id;
            this.timeoutMs = timeoutMs;
            this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        }

        void done(JsonNode header, String body) {
            List<LambdaOutcome.LogLine> logs = new ArrayList<>();
            header.path("logs").forEach(line -> logs.add(new LambdaOutcome.LogLine(line.path("level").asText(), line.path("message").asText())));
            int dropped = header.path("dropped").asInt();
            if (header.path("ok").asBoolean()) {
                outcome.complete(header.path("tooLarge").asBoolean() ? LambdaOutcome.tooLarge(logs, dropped)
                        : LambdaOutcome.result(body == null ? "null" : body, logs, dropped));
            } else {
                outcome.complete(LambdaOutcome.failure(header.path("code").asText(RUNTIME_EXCEPTION), header.path("message").asText(""), logs,
                        dropped));
            }
        }

        void fail(String code, String message) {
            outcome.complete(LambdaOutcome.failure(code, message, List.of(), 0));
        }
    }
}
