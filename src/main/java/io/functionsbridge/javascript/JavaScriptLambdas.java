package io.functionsbridge.javascript;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;
import org.graalvm.polyglot.proxy.ProxyExecutable;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * Runs JavaScript lambdas in the bridge's JVM, on GraalJS (docs/javascript.md): each in contexts of
 * its own under GraalJS's constrained sandbox (no Java, no files but the Toolbelt module, no
 * threads, no processes, no environment), with the Toolbelt the bridge gives it (runtime.js).
 *
 * <p>Warm instances: a lambda's context is kept and used by its next runs, as the platform keeps an
 * instance warm; there are at most as many per lambda as threads. Runs share an instance as Node's
 * event loop does: one step at a time, any number awaiting an HTTP answer or a timer meanwhile,
 * holding no thread. A watchdog ends a run past its timeout or its allocation cap: one awaiting
 * fails alone; one computing is stopped with its instance (the others awaiting in it fail too).
 * The community edition has no heap limit per context, so what a run's steps allocate is what is
 * capped, and all runs together at most threads × that cap.
 */
final class JavaScriptLambdas implements AutoCloseable {

    static final String CUSTOM_FAILURE = "com.liveperson.faas.handler.custom-failure";
    static final String RUNTIME_EXCEPTION = "com.liveperson.faas.handler.runtime-exception";
    static final String TIME_EXCEEDED = "com.liveperson.faas.handler.executiontime-exceeded";

    /** The platform's log limits per invocation. */
    static final int MAX_LOG_ENTRIES = 10;
    static final int MAX_LOG_CHARS = 6_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WATCH_EVERY_MS = 10;
    private static final Source RUNTIME = Source.create("js", resource("runtime.js"));
    private static volatile Engine engine;

    private final int threads;
    private final long maxAllocatedBytes;
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService watchdog;
    private final HttpClient http;
    private final Map<LambdaCode, Deque<Instance>> warm = new ConcurrentHashMap<>();
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private final AtomicInteger timerIds = new AtomicInteger();
    private final com.sun.management.ThreadMXBean threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    JavaScriptLambdas(int threads, long maxAllocatedBytes) {
        this.threads = threads;
        this.maxAllocatedBytes = maxAllocatedBytes;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
            Thread thread = new Thread(runnable, "javascript-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "javascript-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        this.watchdog.scheduleAtFixedRate(this::watch, WATCH_EVERY_MS, WATCH_EVERY_MS, TimeUnit.MILLISECONDS);
        // HTTP/1.1: a connection per request under way (an h2c upgrade would put them all on one)
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        // the engine's start (about 2 s) is paid here, once, and by no run
        engine();
    }

    /** The engine all contexts share (it keeps the parsed sources): made at the first use. */
    private static Engine engine() {
        Engine made = engine;
        if (made == null) {
            synchronized (JavaScriptLambdas.class) {
                made = engine;
                if (made == null) {
                    made = Engine.newBuilder("js")
                            .sandbox(SandboxPolicy.CONSTRAINED)
                            // stock OpenJDK: GraalJS interprets, and says so once per engine unless told not to
                            .option("engine.WarnInterpreterOnly", "false")
                            .out(OutputStream.nullOutputStream())
                            .err(OutputStream.nullOutputStream())
                            .build();
                    engine = made;
                }
            }
        }
        return made;
    }

    /**
     * Whether the source parses and defines {@code lambda}: throws {@link IllegalArgumentException}
     * saying why not. Runs what the source runs when it is loaded, with a bound of 5 s.
     */
    static void check(LambdaCode code) {
        Context context = newContext();
        ScheduledExecutorService guard = Executors.newSingleThreadScheduledExecutor();
        try {
            guard.schedule(() -> context.close(true), 5, TimeUnit.SECONDS);
            load(context, code, new Host(code, null, null));
        } catch (PolyglotException e) {
            throw new IllegalArgumentException("source " + code.folder().resolve("index.js") + " does not load: "
                    + (e.isCancelled() ? "it ran for more than 5 s" : e.getMessage()));
        } finally {
            guard.shutdownNow();
            context.close(true);
        }
    }

    /**
     * Runs the lambda once with that input (the envelope's JSON). Completes with its result or its
     * failure, never exceptionally: a lambda's failure is a value, as it is the platform's answer.
     */
    CompletableFuture<LambdaOutcome> invoke(LambdaCode code, String inputJson, long timeoutMs) {
        Run run = new Run(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), timeoutMs);
        executor.execute(() -> start(code, run, inputJson));
        return run.outcome;
    }

    /** The run's first step: the lambda called; it goes on, in later steps, when what it awaits is in. */
    private void start(LambdaCode code, Run run, String inputJson) {
        if (System.nanoTime() > run.deadline) {
            run.fail(TIME_EXCEEDED, "the lambda did not start within its " + run.timeoutMs + " ms");
            return;
        }
        running.add(run);
        run.outcome.whenComplete((outcome, failure) -> running.remove(run));
        Instance instance = instanceOf(code);
        run.instance = instance;
        instance.active.add(run);
        step(instance, run, () -> {
            if (instance.lambda == null) {
                Value[] loaded = load(instance.context, code, instance.host);
                instance.invoke = loaded[0];
                instance.lambda = loaded[1];
            }
            Value settled = instance.invoke.execute(instance.lambda, inputJson);
            settled.invokeMember("then", (ProxyExecutable) arguments -> {
                settle(run, arguments[0]);
                return null;
            });
        });
    }

    /**
     * One step of a run in its instance: the instance is entered by one thread at a time, the run's
     * console lines and HTTP requests are its own, and what the step allocates counts for it. A
     * failure of the context (cancelled, exhausted) ends every run in the instance.
     */
    private void step(Instance instance, Run run, Runnable step) {
        instance.lock.lock();
        try {
            if (run.isDone()) {
                return;
            }
            if (instance.broken) {
                run.fail(RUNTIME_EXCEPTION, "the lambda's instance was ended by another run of it");
                return;
            }
            instance.host.run = run;
            run.enter(threadBean.getCurrentThreadAllocatedBytes());
            step.run();
            if (!run.isDone() && run.pending.get() == 0) {
                run.fail(RUNTIME_EXCEPTION, "the lambda ended without a result: its callback was not called, or its promise never settles");
            }
        } catch (PolyglotException e) {
            end(instance, run, e);
        } catch (RuntimeException e) {
            end(instance, run, e);
        } finally {
            run.leave(threadBean.getCurrentThreadAllocatedBytes());
            instance.host.run = null;
            instance.lock.unlock();
        }
    }

    /** The instance cannot go on: the run fails with what happened, the others in it with that. */
    private void end(Instance instance, Run run, Exception failure) {
        discard(instance);
        if (failure instanceof PolyglotException polyglot) {
            run.failed(polyglot);
        } else {
            run.fail(RUNTIME_EXCEPTION, String.valueOf(failure.getMessage()));
        }
        for (Run other : instance.active) {
            other.fail(RUNTIME_EXCEPTION, "the lambda's instance was ended by another run of it: " + run.describeEnd());
        }
    }

    /** The instance is no longer used: out of the pool, and closed (which cancels a run computing in it). */
    private void discard(Instance instance) {
        instance.broken = true;
        Deque<Instance> pool = warm.get(instance.code);
        if (pool != null) {
            pool.remove(instance);
        }
        closeLater(instance.context);
    }

    private static void settle(Run run, Value answer) {
        if (answer.getMember("ok").asBoolean()) {
            Value json = answer.getMember("json");
            run.succeed(json == null || json.isNull() ? "null" : json.asString());
        } else {
            run.fail(CUSTOM_FAILURE, answer.getMember("message").isNull() ? "" : answer.getMember("message").asString());
        }
    }

    /**
     * An instance of the lambda to run in: a free one, else a new one while there are fewer than
     * threads, else any (its lock is then waited for: it is held for a step, never while a run awaits).
     */
    private Instance instanceOf(LambdaCode code) {
        Deque<Instance> pool = warm.computeIfAbsent(code, c -> new ConcurrentLinkedDeque<>());
        Instance any = null;
        for (Instance instance : pool) {
            if (!instance.broken) {
                if (!instance.lock.isLocked()) {
                    return instance;
                }
                any = instance;
            }
        }
        if (any != null && pool.size() >= threads) {
            return any;
        }
        Instance made = new Instance(code, newContext(), this);
        pool.add(made);
        return made;
    }

    /** Makes a warm instance of the lambda in the background, so that its first run does not pay for it. */
    void warm(LambdaCode code) {
        executor.execute(() -> {
            Deque<Instance> pool = warm.computeIfAbsent(code, c -> new ConcurrentLinkedDeque<>());
            if (!pool.isEmpty()) {
                return;
            }
            Instance made = new Instance(code, newContext(), this);
            made.lock.lock();
            try {
                Value[] loaded = load(made.context, code, made.host);
                made.invoke = loaded[0];
                made.lambda = loaded[1];
                pool.add(made);
            } catch (RuntimeException e) {
                // its first run says why
                closeLater(made.context);
            } finally {
                made.lock.unlock();
            }
        });
    }

    /** Keeps the warm instances of these lambdas only (the registry in force): the others are closed. */
    void retain(Collection<LambdaCode> inForce) {
        Set<LambdaCode> kept = Set.copyOf(inForce);
        warm.keySet().removeIf(code -> {
            if (kept.contains(code)) {
                return false;
            }
            Deque<Instance> pool = warm.get(code);
            if (pool != null) {
                pool.forEach(instance -> closeLater(instance.context));
            }
            return true;
        });
    }

    private static Context newContext() {
        return Context.newBuilder("js")
                .engine(engine())
                .sandbox(SandboxPolicy.CONSTRAINED)
                .allowHostAccess(HostAccess.CONSTRAINED)
                .allowIO(IOAccess.newBuilder().fileSystem(new ToolbeltFileSystem()).build())
                .out(OutputStream.nullOutputStream())
                .err(OutputStream.nullOutputStream())
                .option("js.esm-eval-returns-exports", "true")
                .option("js.console", "false")
                .build();
    }

    /** Evaluates the Toolbelt and the source in the context: the invocation function and the lambda. */
    private static Value[] load(Context context, LambdaCode code, Host host) {
        Value invoke = context.eval(RUNTIME).execute(host.proxy());
        Value lambda;
        if (code.module()) {
            Source source = Source.newBuilder("js", code.source() + "\nexport { lambda as __functionsBridgeLambda };\n",
                    code.name() + "/index.mjs").mimeType("application/javascript+module").buildLiteral();
            lambda = context.eval(source).getMember("__functionsBridgeLambda");
        } else {
            context.eval(Source.newBuilder("js", code.source(), code.name() + "/index.js").buildLiteral());
            lambda = context.eval("js", "typeof lambda === 'function' ? lambda : undefined");
        }
        if (lambda == null || !lambda.canExecute()) {
            throw new IllegalArgumentException("source " + code.folder().resolve("index.js") + " defines no function lambda");
        }
        return new Value[] {invoke, lambda};
    }

    /**
     * Ends the runs past their timeout or their allocation cap. A run awaiting (an HTTP request) is
     * failed alone; a run computing is stopped with its instance, whose other runs fail with it.
     */
    private void watch() {
        long now = System.nanoTime();
        Run largest = null;
        long largestAllocated = -1;
        long total = 0;
        for (Run run : running) {
            long allocated = run.allocated(threadBean);
            run.lastAllocated = allocated;
            total += allocated;
            if (allocated > largestAllocated) {
                largest = run;
                largestAllocated = allocated;
            }
        }
        // runs awaiting an answer hold what they allocated: all of them together, at most threads x the cap
        if (largest != null && total > threads * maxAllocatedBytes && largest.instance != null) {
            largest.kill(RUNTIME_EXCEPTION, "the lambda's runs allocated more than " + threads * maxAllocatedBytes / (1024 * 1024)
                    + " MB together (bridge.javascript.threads x max-allocated-mb)");
            discard(largest.instance);
            if (!largest.isComputing()) {
                largest.fail(largest.killed, largest.killedMessage);
                for (Run other : largest.instance.active) {
                    other.fail(RUNTIME_EXCEPTION, "the lambda's instance was ended by another run of it: " + largest.describeEnd());
                }
            }
        }
        for (Run run : running) {
            if (run.isDone()) {
                continue;
            }
            String code = null;
            String message = null;
            if (now > run.deadline) {
                code = TIME_EXCEEDED;
                message = "the lambda ran for more than its " + run.timeoutMs + " ms";
            } else if (run.lastAllocated > maxAllocatedBytes) {
                code = RUNTIME_EXCEPTION;
                message = "the lambda allocated more than " + maxAllocatedBytes / (1024 * 1024) + " MB (bridge.javascript.max-allocated-mb)";
            }
            if (code == null) {
                continue;
            }
            Instance instance = run.instance;
            if (run.isComputing() && instance != null) {
                run.kill(code, message);
                discard(instance);
            } else {
                run.fail(code, message);
            }
        }
    }

    private static void closeLater(Context context) {
        CompletableFuture.runAsync(() -> {
            try {
                context.close(true);
            } catch (RuntimeException ignored) {
                // closed already
            }
        });
    }

    /**
     * Starts the lambda's HTTP request, when its host is on the whitelist; the run goes on, in a
     * later step, with its answer (status, body, headers as JSON) or its failure.
     */
    private void exchange(Instance instance, Run run, String method, String url, String headersJson, String body, Value resolve,
                          Value reject) {
        HttpRequest request;
        try {
            URI uri = URI.create(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                reject.execute("only http and https urls can be fetched, not " + uri);
                return;
            }
            if (!instance.code.settings().allows(uri.getHost())) {
                reject.execute("host " + uri.getHost() + " is not on the whitelist (settings.json)");
                return;
            }
            long remainingMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(run.deadline - System.nanoTime()));
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(remainingMs));
            if (!headersJson.isEmpty()) {
                JSON.readTree(headersJson).fields().forEachRemaining(header -> builder.header(header.getKey(), header.getValue().asText()));
            }
            builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            request = builder.build();
        } catch (IOException | IllegalArgumentException e) {
            reject.execute("request refused: " + e.getMessage());
            return;
        }
        run.pending.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> executor.execute(() -> {
            run.pending.decrementAndGet();
            step(instance, run, () -> {
                if (failure != null) {
                    reject.execute("request failed: " + failure);
                    return;
                }
                ObjectNode headers = JSON.createObjectNode();
                response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(", ", values)));
                resolve.execute(response.statusCode(), response.body(), headers.toString());
            });
        }));
    }

    /**
     * {@code setTimeout}: the callback runs in a later step of the run, after that delay (at most
     * until the run's deadline); the run awaits it as it awaits an HTTP answer, holding no thread.
     */
    private int setTimeout(Instance instance, Run run, long delayMs, Value callback) {
        int id = timerIds.incrementAndGet();
        long remainingMs = Math.max(0, TimeUnit.NANOSECONDS.toMillis(run.deadline - System.nanoTime()));
        run.pending.incrementAndGet();
        ScheduledFuture<?> timer = watchdog.schedule(() -> executor.execute(() -> {
            if (run.timers.remove(id) != null) {
                run.pending.decrementAndGet();
                step(instance, run, () -> callback.executeVoid());
            }
        }), Math.min(Math.max(0, delayMs), remainingMs + 1), TimeUnit.MILLISECONDS);
        run.timers.put(id, timer);
        return id;
    }

    private static void clearTimeout(Run run, int id) {
        ScheduledFuture<?> timer = run.timers.remove(id);
        if (timer != null && timer.cancel(false)) {
            run.pending.decrementAndGet();
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        executor.shutdownNow();
        warm.values().forEach(pool -> pool.forEach(instance -> closeLater(instance.context)));
        warm.clear();
    }

    private static String resource(String name) {
        try (InputStream in = JavaScriptLambdas.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A lambda's context, kept warm between runs. Runs of the lambda share it as Node's event loop
     * does: one step at a time, and any number of runs awaiting an HTTP answer meanwhile.
     */
    private static final class Instance {
        final LambdaCode code;
        final Context context;
        final Host host;
        final ReentrantLock lock = new ReentrantLock();
        final Set<Run> active = ConcurrentHashMap.newKeySet();
        Value invoke;
        Value lambda;
        volatile boolean broken;

        Instance(LambdaCode code, Context context, JavaScriptLambdas lambdas) {
            this.code = code;
            this.context = context;
            this.host = new Host(code, lambdas, this);
        }
    }

    /** One run: its logs, its limits, its steps, and how it ended. */
    private static final class Run {
        final long deadline;
        final long timeoutMs;
        final CompletableFuture<LambdaOutcome> outcome = new CompletableFuture<>();
        final AtomicInteger pending = new AtomicInteger();
        final Map<Integer, ScheduledFuture<?>> timers = new ConcurrentHashMap<>();
        final List<LambdaOutcome.LogLine> logs = new ArrayList<>();
        int logChars;
        int dropped;
        volatile Instance instance;
        // what its finished steps allocated; the step computing now: its thread and that thread's count at its start
        volatile long allocatedBefore;
        volatile long stepThread = -1;
        volatile long stepStart;
        volatile String killed;
        volatile String killedMessage;
        // the watchdog's, from its last sweep
        long lastAllocated;

        Run(long deadline, long timeoutMs) {
            this.deadline = deadline;
            this.timeoutMs = timeoutMs;
        }

        boolean isDone() {
            return outcome.isDone();
        }

        boolean isComputing() {
            return stepThread >= 0;
        }

        void enter(long threadAllocated) {
            stepStart = threadAllocated;
            stepThread = Thread.currentThread().getId();
        }

        void leave(long threadAllocated) {
            if (stepThread >= 0) {
                allocatedBefore += threadAllocated - stepStart;
                stepThread = -1;
            }
        }

        long allocated(com.sun.management.ThreadMXBean threads) {
            long thread = stepThread;
            return allocatedBefore + (thread >= 0 ? Math.max(0, threads.getThreadAllocatedBytes(thread) - stepStart) : 0);
        }

        synchronized void log(String level, String message) {
            if (logs.size() >= MAX_LOG_ENTRIES || logChars + message.length() > MAX_LOG_CHARS) {
                dropped++;
                return;
            }
            logChars += message.length();
            logs.add(new LambdaOutcome.LogLine(level, message));
        }

        void kill(String code, String message) {
            killedMessage = message;
            killed = code;
        }

        String describeEnd() {
            return killedMessage != null ? killedMessage : "it failed";
        }

        void succeed(String json) {
            done(LambdaOutcome.result(json, logs(), dropped));
        }

        void fail(String code, String message) {
            done(LambdaOutcome.failure(code, message, logs(), dropped));
        }

        void failed(PolyglotException e) {
            if (killed != null) {
                fail(killed, killedMessage);
            } else if (e.isResourceExhausted()) {
                fail(RUNTIME_EXCEPTION, "the lambda ran out of a resource: " + e.getMessage());
            } else {
                fail(e.isGuestException() ? CUSTOM_FAILURE : RUNTIME_EXCEPTION, String.valueOf(e.getMessage()));
            }
        }

        private void done(LambdaOutcome ended) {
            if (outcome.complete(ended)) {
                Instance in = instance;
                if (in != null) {
                    in.active.remove(this);
                }
            }
        }

        private synchronized List<LambdaOutcome.LogLine> logs() {
            return List.copyOf(logs);
        }
    }

    /** What the lambda's Toolbelt asks of the bridge: strings in, strings out, for the run in its step. */
    private static final class Host {
        final LambdaCode code;
        final JavaScriptLambdas lambdas;
        final Instance instance;
        volatile Run run;

        Host(LambdaCode code, JavaScriptLambdas lambdas, Instance instance) {
            this.code = code;
            this.lambdas = lambdas;
            this.instance = instance;
        }

        ProxyObject proxy() {
            return ProxyObject.fromMap(Map.of(
                    "log", (ProxyExecutable) arguments -> {
                        Run current = run;
                        if (current != null) {
                            current.log(arguments[0].asString(), arguments[1].asString());
                        }
                        return null;
                    },
                    "env", (ProxyExecutable) arguments -> json(code.env()),
                    "readSecret", (ProxyExecutable) arguments -> json(code.settings().secret(arguments[0].asString()).orElse(null)),
                    "updateSecret", (ProxyExecutable) arguments -> {
                        code.settings().updateSecret(arguments[0].asString(), arguments[1].asString());
                        return null;
                    },
                    "setTimeout", (ProxyExecutable) arguments -> {
                        Run current = run;
                        if (lambdas == null || current == null) {
                            return -1;
                        }
                        return lambdas.setTimeout(instance, current, arguments[0].asLong(), arguments[1]);
                    },
                    "clearTimeout", (ProxyExecutable) arguments -> {
                        Run current = run;
                        if (current != null) {
                            clearTimeout(current, arguments[0].asInt());
                        }
                        return null;
                    },
                    "http", (ProxyExecutable) arguments -> {
                        Run current = run;
                        if (lambdas == null || current == null) {
                            arguments[5].execute("no HTTP while the source loads");
                        } else {
                            lambdas.exchange(instance, current, arguments[0].asString(), arguments[1].asString(), arguments[2].asString(),
                                    arguments[3].isNull() ? null : arguments[3].asString(), arguments[4], arguments[5]);
                        }
                        return null;
                    }));
        }

        private static String json(Object value) {
            try {
                return JSON.writeValueAsString(value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
