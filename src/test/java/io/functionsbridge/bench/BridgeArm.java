package io.functionsbridge.bench;

import io.functionsbridge.BridgeApplication;
import io.functionsbridge.it.Ports;
import io.functionsbridge.javascript.JavaScriptFunctions;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.main.Main;

/** functions-bridge itself: the shipped application.properties and routes/, on the benchmark's topics. */
final class BridgeArm implements Arm {

    /**
     * The read-ahead (bridge.max-buffered) the bridge gets: 16 events per in-flight slot, so that
     * busiest-first sees the long chains of a backlog early enough (IdealSchedule shows the effect).
     */
    static int readAhead(Workload workload) {
        return 16 * workload.cap();
    }

    /** The name of the arm whose function is a JavaScript lambda the bridge runs. */
    static final String JAVASCRIPT = "javascript-lambda";

    /**
     * The lambda of the JavaScript arm: the same reply as the function server's, after the same
     * latency. It waits that latency (a timer: the run holds no thread meanwhile), or, with
     * {@code BENCH_LAMBDA=fetch} (or the system property bench.lambda), asks the function server
     * for its reply and awaits it, as a lambda awaits any HTTP call.
     */
    private static final String LAMBDA = """
            const FUNCTION_URL = process.env.FUNCTION_URL;
            const DELAY_MS = Number(process.env.DELAY_MS || 0);
            async function lambda(input) {
              if (FUNCTION_URL) {
                const response = await fetch(FUNCTION_URL, { method: 'POST', headers: { 'content-type': 'application/json' },
                  body: JSON.stringify(input) });
                if (!response.ok) {
                  throw new Error('the function answered ' + response.status);
                }
                return response.json();
              }
              if (DELAY_MS > 0) {
                await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
              }
              return [{ type: 'systemMessage', text: 'seq:' + input.payload.general.seq }];
            }
            """;

    /** The name of the arm that writes exactly once (bridge.delivery=exactly-once). */
    static final String EXACTLY_ONCE = "exactly-once";

    private final boolean javascript;
    private final boolean exactlyOnce;

    BridgeArm() {
        this(false, false);
    }

    /**
     * The bridge with an HTTP function, or with the same function as a JavaScript lambda; writing at
     * least once, or exactly once (its commands, and its offsets, in transactions).
     */
    BridgeArm(boolean javascript, boolean exactlyOnce) {
        this.javascript = javascript;
        this.exactlyOnce = exactlyOnce;
    }

    @Override
    public String name() {
        return javascript ? JAVASCRIPT : exactlyOnce ? EXACTLY_ONCE : "functions-bridge";
    }

    @Override
    public boolean claimsOrdering() {
        return true;
    }

    /** Counts what it is given, and keeps none of it. */
    private static final class DroppingExporter implements SpanExporter {

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    private static Properties toProperties(Map<String, String> values) {
        Properties properties = new Properties();
        properties.putAll(values);
        return properties;
    }

    @Override
    public Running start(String bootstrap, String in, String out, String functionUrl, Workload workload) throws Exception {
        Path functions = Files.createTempFile("bench-functions", ".yaml");
        Path lambda = Files.createTempDirectory("bench-lambda");
        Files.writeString(functions, javascript ? """
                functions:
                  - id: bench-function
                    event: controllerbot_messaging_new_conversation
                    state: deployed
                    runtime: javascript
                    source: %s
                """.formatted(lambda) : """
                functions:
                  - id: bench-function
                    event: controllerbot_messaging_new_conversation
                    url: %s
                    state: deployed
                """.formatted(functionUrl));
        // the workloads it is compared on have one latency for every event
        long latencyMs = workload.latency().millis(0);
        boolean fetch = "fetch".equals(System.getProperty("bench.lambda", System.getenv("BENCH_LAMBDA")))
                && (latencyMs > 0 || workload.failOnceRate() > 0);
        Files.writeString(lambda.resolve("index.js"), LAMBDA);
        Files.writeString(lambda.resolve("config.json"), "{\"environmentVariables\":[" + (fetch
                ? "{\"key\":\"FUNCTION_URL\",\"value\":\"" + functionUrl + "\"}" : "{\"key\":\"DELAY_MS\",\"value\":\"" + latencyMs + "\"}") + "]}");
        Files.writeString(lambda.resolve("settings.json"), "{\"secrets\":[],\"whitelist\":[\"127.0.0.1\",\"localhost\"]}");
        Path autoMessages = Files.createTempFile("bench-auto-messages", ".yaml");
        Files.writeString(autoMessages, "autoMessages: {}\n");
        Map<String, String> properties = new HashMap<>();
        properties.put("kafka.brokers", bootstrap);
        properties.put("bridge.topic.events", in);
        properties.put("bridge.topic.chat-events", in + "-chat");
        properties.put("bridge.topic.commands", out);
        properties.put("bridge.topic.dead-letter", out + "-dlq");
        properties.put("bridge.consumer.group", in + "-bridge");
        properties.put("bridge.functions.file", functions.toString());
        properties.put("bridge.functions.settings-file", lambda.resolve("settings.json").toString());
        properties.put("bridge.auto-messages.file", autoMessages.toString());
        properties.put("bridge.max-in-flight", String.valueOf(workload.cap()));
        properties.put("bridge.max-buffered", String.valueOf(readAhead(workload)));
        properties.put("bridge.invoke.backoff-ms", String.valueOf(Benchmark.RETRY_BACKOFF_MS));
        properties.put("bridge.invoke.slow-ms", "600000");
        properties.put("bridge.delivery", exactlyOnce ? "exactly-once" : "at-least-once");
        properties.put("camel.main.jmxEnabled", "false");
        properties.put("camel.management.port", String.valueOf(Ports.free()));
        properties.put("camel.server.port", String.valueOf(Ports.free()));
        Main main = BridgeApplication.create(properties);
        SdkTracerProvider spans = null;
        if (Boolean.getBoolean("bench.tracing") || "true".equals(System.getenv("BENCH_TRACING"))) {
            // OpenTelemetry spans on, batched as the SDK does by default, to an exporter that drops
            // them: what the spans cost the bridge, without a collector's network
            properties.put("camel.opentelemetry2.enabled", "true");
            main.setOverrideProperties(toProperties(properties));
            spans = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build()).build();
            main.bind("benchTracer", spans.get("bench"));
            main.bind("benchPropagators", ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
        }
        main.start();
        SdkTracerProvider tracing = spans;
        JavaScriptFunctions lambdas = main.getCamelContext().getRegistry().lookupByNameAndType("javascriptFunctions", JavaScriptFunctions.class);
        return new Running() {
            @Override
            public void close() throws Exception {
                main.stop();
                if (tracing != null) {
                    tracing.close();
                }
                Files.deleteIfExists(functions);
                Files.deleteIfExists(autoMessages);
            }

            @Override
            public long childCpuNanos() {
                return lambdas == null ? 0 : cpuNanos(lambdas.processId());
            }
        };
    }

    /** A process's CPU time (user and system) as Linux counts it, in clock ticks of 10 ms; 0 when it is not there. */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ... utime(11) stime(12)
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
