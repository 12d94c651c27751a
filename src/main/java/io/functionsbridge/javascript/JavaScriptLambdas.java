package io.functionsbridge.javascript;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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
 * Runs JavaScript lambdas in the bridge's JVM, on GraalJS (docs/javascript.md): each in a context of
 * its own under GraalJS's constrained sandbox (no Java, no files but the Toolbelt module, no
 * threads, no processes, no environment), with the Toolbelt the bridge gives it (runtime.js).
 *
 * <p>Warm instances: a lambda's context is kept after a run and used again by the next, as the
 * platform keeps an instance warm; there are at most as many per lambda as threads. A run is
 * watched: past its timeout, or once it has allocated more than {@code maxAllocatedBytes}, its
 * context is cancelled (and thrown away), which ends that run only. The community edition has no
 * heap limit per context, so the allocation of the run's thread is what is capped: the heap the
 * lambdas can hold at once is at most threads × that cap.
 */
final class JavaScriptLambdas implements AutoCloseable {

    static final String CUSTOM_FAILURE = "com.liveperson.faas.handler.custom-failure";
    static final String RUNTIME_EXCEPTION = "com.liveperson.faas.handler.runtime-exception";
    static final String TIME_EXCEEDED = "com.liveperson.faas.handler.executiontime-exceeded";

    /** The platform's log limits per invocation. */
    static final int MAX_LOG_ENTRIES = 10;
    static final int MAX_LOG_CHARS = 6_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WATCH_EVERY_MS = 5;
    private static final Source RUNTIME = Source.create("js", resource("runtime.js"));
    private static volatile Engine engine;

    private final int threads;
    private final long maxAllocatedBytes;
    private final ThreadPoolExecutor executor;
    private final ScheduledExecutorService watchdog;
    private final HttpClient http;
    private final Map<LambdaCode, Deque<Instance>> warm = new ConcurrentHashMap<>();
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
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
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
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
            load(context, code, new Host(code, null));
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
        CompletableFuture<LambdaOutcome> outcome = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        executor.execute(() -> outcome.complete(run(code, inputJson, timeoutMs, deadline)));
        return outcome;
    }

    private LambdaOutcome run(LambdaCode code, String inputJson, long timeoutMs, long deadline) {
        Run run = new Run(Thread.currentThread().getId(), threadBean.getCurrentThreadAllocatedBytes(), deadline, timeoutMs);
        Instance instance = null;
        running.add(run);
        try {
            if (System.nanoTime() > deadline) {
                return run.failed(TIME_EXCEEDED, "the lambda did not start within its " + timeoutMs + " ms");
            }
            instance = borrow(code, run);
            instance.host.run = run;
            Value settled = instance.invoke.execute(instance.lambda, inputJson);
            AtomicReference<Value> result = new AtomicReference<>();
            settled.invokeMember("then", (ProxyExecutable) arguments -> {
                result.set(arguments[0]);
                return null;
            });
            Value answer = result.get();
            if (answer == null) {
                return run.failed(RUNTIME_EXCEPTION, "the lambda ended without a result: its callback was not called, or its promise never settles");
            }
            if (answer.getMember("ok").asBoolean()) {
                Value json = answer.getMember("json");
                return run.succeeded(json == null || json.isNull() ? "null" : json.asString());
            }
            return run.failed(CUSTOM_FAILURE, answer.getMember("message").isNull() ? "" : answer.getMember("message").asString());
        } catch (PolyglotException e) {
            if (instance != null) {
                instance.broken = true;
            }
            return run.failed(e);
        } catch (RuntimeException e) {
            if (instance != null) {
                instance.broken = true;
            }
            return run.failed(RUNTIME_EXCEPTION, String.valueOf(e.getMessage()));
        } finally {
            running.remove(run);
            if (instance != null) {
                instance.host.run = null;
                giveBack(code, instance, run);
            }
        }
    }

    /** A warm instance of the lambda, or a new one (its loading is watched as its run is). */
    private Instance borrow(LambdaCode code, Run run) {
        Instance instance = warm.computeIfAbsent(code, c -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (instance != null) {
            run.instance = instance;
            return instance;
        }
        Context context = newContext();
        // what the context took is the bridge's: the cap is for the lambda's loading and run
        run.allocatedBefore = threadBean.getCurrentThreadAllocatedBytes();
        Instance made = new Instance(context, new Host(code, this));
        run.instance = made;
        made.host.run = run;
        Value[] loaded = load(context, code, made.host);
        made.invoke = loaded[0];
        made.lambda = loaded[1];
        return made;
    }

    private void giveBack(LambdaCode code, Instance instance, Run run) {
        Deque<Instance> pool = warm.get(code);
        if (instance.broken || run.killed != null || pool == null || pool.size() >= threads) {
            closeLater(instance.context);
            return;
        }
        pool.offerFirst(instance);
    }

    /** Makes a warm instance of the lambda in the background, so that its first run does not pay for it. */
    void warm(LambdaCode code) {
        executor.execute(() -> {
            Run run = new Run(Thread.currentThread().getId(), threadBean.getCurrentThreadAllocatedBytes(),
                    System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 30_000);
            running.add(run);
            try {
                giveBack(code, borrow(code, run), run);
            } catch (RuntimeException e) {
                // its first run says why
            } finally {
                running.remove(run);
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

    /** Ends the runs past their timeout or their allocation cap. */
    private void watch() {
        long now = System.nanoTime();
        for (Run run : running) {
            if (run.killed != null || run.instance == null) {
                continue;
            }
            if (now > run.deadline) {
                run.kill(TIME_EXCEEDED, "the lambda ran for more than its " + run.timeoutMs + " ms");
            } else if (threadBean.getThreadAllocatedBytes(run.threadId) - run.allocatedBefore > maxAllocatedBytes) {
                run.kill(RUNTIME_EXCEPTION, "the lambda allocated more than " + maxAllocatedBytes / (1024 * 1024)
                        + " MB (bridge.javascript.max-allocated-mb)");
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

    /** Runs the lambda's HTTP request, when its host is on the whitelist: {status, statusText, headers, body} or {error}. */
    private String exchange(LambdaCode code, Run run, String requestJson) {
        ObjectNode answer = JSON.createObjectNode();
        try {
            JsonNode request = JSON.readTree(requestJson);
            URI uri = URI.create(request.path("url").asText(""));
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                return answer.put("error", "only http and https urls can be fetched, not " + uri).toString();
            }
            if (!code.settings().allows(uri.getHost())) {
                return answer.put("error", "host " + uri.getHost() + " is not on the whitelist (settings.json)").toString();
            }
            long remainingMs = run == null ? 30_000 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(run.deadline - System.nanoTime()));
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(remainingMs));
            request.path("headers").fields().forEachRemaining(header -> builder.header(header.getKey(), header.getValue().asText()));
            JsonNode body = request.get("body");
            builder.method(request.path("method").asText("GET"), body == null || body.isNull()
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.asText()));
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            ObjectNode headers = answer.put("status", response.statusCode()).putObject("headers");
            response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(), String.join(", ", values)));
            return answer.put("body", response.body()).toString();
        } catch (IOException | IllegalArgumentException e) {
            return answer.put("error", "request failed: " + e).toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return answer.put("error", "request interrupted").toString();
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

    /** A lambda's context, kept warm between runs. */
    private static final class Instance {
        final Context context;
        final Host host;
        Value invoke;
        Value lambda;
        volatile boolean broken;

        Instance(Context context, Host host) {
            this.context = context;
            this.host = host;
        }
    }

    /** One run: its logs, its limits, and how it ended. */
    private static final class Run {
        final long threadId;
        volatile long allocatedBefore;
        final long deadline;
        final long timeoutMs;
        final List<LambdaOutcome.LogLine> logs = new ArrayList<>();
        int logChars;
        int dropped;
        volatile Instance instance;
        volatile String killed;
        volatile String killedMessage;

        Run(long threadId, long allocatedBefore, long deadline, long timeoutMs) {
            this.threadId = threadId;
            this.allocatedBefore = allocatedBefore;
            this.deadline = deadline;
            this.timeoutMs = timeoutMs;
        }

        void log(String level, String message) {
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
            Instance target = instance;
            if (target != null) {
                target.broken = true;
                closeLater(target.context);
            }
        }

        LambdaOutcome succeeded(String json) {
            return LambdaOutcome.result(json, logs(), dropped);
        }

        LambdaOutcome failed(String code, String message) {
            return LambdaOutcome.failure(code, message, logs(), dropped);
        }

        LambdaOutcome failed(PolyglotException e) {
            if (killed != null) {
                return failed(killed, killedMessage);
            }
            if (e.isResourceExhausted()) {
                return failed(RUNTIME_EXCEPTION, "the lambda ran out of a resource: " + e.getMessage());
            }
            return failed(e.isGuestException() ? CUSTOM_FAILURE : RUNTIME_EXCEPTION, String.valueOf(e.getMessage()));
        }

        private List<LambdaOutcome.LogLine> logs() {
            return List.copyOf(logs);
        }
    }

    /** What the lambda's Toolbelt asks of the bridge: strings in, strings out. */
    private static final class Host {
        final LambdaCode code;
        final JavaScriptLambdas lambdas;
        volatile Run run;

        Host(LambdaCode code, JavaScriptLambdas lambdas) {
            this.code = code;
            this.lambdas = lambdas;
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
                    "http", (ProxyExecutable) arguments -> lambdas == null
                            ? "{\"error\":\"no HTTP while the source loads\"}" : lambdas.exchange(code, run, arguments[0].asString())));
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
