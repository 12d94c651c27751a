package io.functionsbridge.bench;

import io.functionsbridge.BridgeApplication;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.it.Ports;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * How many requests at once the gateway holds, and what it answers past that:
 * {@code mvn -B -q -Pbench test-compile exec:exec -Dbench.main=io.functionsbridge.bench.GatewayBenchmark}.
 *
 * <p>One conversational-command function answers after a fixed latency. Clients keep a number of
 * requests in flight against the gateway (capped at {@code bridge.gateway.max-concurrent}), and,
 * as the baseline of the same run, against the function directly. The bound of the gateway is
 * min(clients, cap) ÷ latency requests/s; past the cap, requests wait for a worker and are
 * answered all the same.
 */
public final class GatewayBenchmark {

    private static final int CAP = Integer.getInteger("bench.gateway.cap", 64);
    private static final long LATENCY_MS = Long.getLong("bench.gateway.latency-ms", 100);
    private static final int REQUESTS = Integer.getInteger("bench.gateway.requests", 4000);

    private GatewayBenchmark() {
    }

    /** One run's figures. */
    private record Run(String target, int clients, int requests, int errors, double perSecond, long p50, long p99) {
    }

    public static void main(String[] args) throws Exception {
        Configurator.setLevel("io.functionsbridge", Level.WARN);
        Configurator.setLevel("org.apache.kafka", Level.ERROR);
        Configurator.setLevel("org.apache.camel", Level.WARN);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/command", Response.ok("\"done\"").after(LATENCY_MS));
            Path registry = Files.createTempFile("gateway-bench", ".yaml");
            Files.writeString(registry, """
                    functions:
                      - id: 55555555-0000-4000-8000-000000000001
                        event: conversational_command
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/command")));
            int port = Ports.free();
            Map<String, String> properties = new HashMap<>();
            properties.put("kafka.brokers", broker.bootstrapServers());
            properties.put("bridge.functions.file", registry.toString());
            properties.put("bridge.gateway.max-concurrent", String.valueOf(CAP));
            properties.put("camel.server.port", String.valueOf(port));
            properties.put("camel.management.port", String.valueOf(Ports.free()));
            properties.put("camel.main.jmxEnabled", "false");
            Main main = BridgeApplication.create(properties);
            main.start();
            try {
                String gateway = "http://127.0.0.1:" + port + "/api/account/local/lambdas/55555555-0000-4000-8000-000000000001/invoke?v=1";
                String direct = functions.url("/command");
                System.out.printf("gateway benchmark: cap (bridge.gateway.max-concurrent) %d, function latency %d ms, %d requests per run, %d cores%n",
                        CAP, LATENCY_MS, REQUESTS, Runtime.getRuntime().availableProcessors());
                run(gateway, CAP, REQUESTS / 4); // warm-up
                List<Run> runs = new ArrayList<>();
                for (int clients : new int[] {CAP / 4, CAP, CAP * 4}) {
                    runs.add(run(direct, clients, REQUESTS));
                    runs.add(run(gateway, clients, REQUESTS));
                }
                System.out.println("| clients | target | requests | errors | req/s | bound req/s | % of bound | × direct | p50 ms | p99 ms |");
                System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                for (int i = 0; i < runs.size(); i += 2) {
                    Run baseline = runs.get(i);
                    Run bridge = runs.get(i + 1);
                    for (Run r : List.of(baseline, bridge)) {
                        boolean isGateway = r == bridge;
                        double bound = (isGateway ? Math.min(r.clients(), CAP) : r.clients()) * 1000.0 / LATENCY_MS;
                        System.out.printf("| %d | %s | %d | %d | %.0f | %.0f | %.0f%% | %s | %d | %d |%n", r.clients(), r.target(), r.requests(),
                                r.errors(), r.perSecond(), bound, 100 * r.perSecond() / bound,
                                isGateway ? String.format("%.2f", r.perSecond() / baseline.perSecond()) : "", r.p50(), r.p99());
                    }
                }
            } finally {
                main.stop();
                Files.deleteIfExists(registry);
            }
        }
    }

    /** Keeps that many requests in flight until that many are answered. */
    private static Run run(String url, int clients, int requests) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        String body = "{\"timestamp\":1,\"headers\":[],\"payload\":{\"conversationId\":\"c\",\"arguments\":[\"1\"]}}";
        Semaphore slots = new Semaphore(clients);
        AtomicInteger errors = new AtomicInteger();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<?>> pending = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            slots.acquire();
            long sent = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build();
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
                latencies.add((System.nanoTime() - sent) / 1_000_000);
                if (failure != null || response.statusCode() != 200 || !response.body().equals("\"done\"")) {
                    errors.incrementAndGet();
                }
                slots.release();
            }));
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).handle((v, e) -> null).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Run(url.contains("/api/account/") ? "gateway" : "function directly", clients, requests, errors.get(), requests / seconds,
                sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.99)));
    }
}
