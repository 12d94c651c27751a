package io.functionsbridge.bench;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
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
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
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
    private static final String STATIC_TOKEN = "bench-static-token";

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
            RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
            functions.on("/jwks", Response.ok(new JWKSet(key.toPublicJWK()).toString()));
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
            // credentials: a static token, or a JWT access token of the JWKS
            properties.put("bridge.gateway.tokens", STATIC_TOKEN);
            properties.put("bridge.gateway.jwt.jwks-url", functions.url("/jwks"));
            properties.put("bridge.gateway.jwt.issuer", "bench-issuer");
            properties.put("bridge.gateway.jwt.audience", "functions-bridge");
            Main main = BridgeApplication.create(properties);
            main.start();
            try {
                String gateway = "http://127.0.0.1:" + port + "/api/account/local/lambdas/55555555-0000-4000-8000-000000000001/invoke?v=1";
                String direct = functions.url("/command");
                System.out.printf("gateway benchmark: cap (bridge.gateway.max-concurrent) %d, function latency %d ms, %d requests per run, %d cores%n",
                        CAP, LATENCY_MS, REQUESTS, Runtime.getRuntime().availableProcessors());
                IntFunction<String> staticToken = i -> "Bearer " + STATIC_TOKEN;
                run(gateway, CAP, REQUESTS / 4, staticToken); // warm-up
                List<Run> runs = new ArrayList<>();
                for (int clients : new int[] {CAP / 4, CAP, CAP * 4}) {
                    runs.add(run(direct, clients, REQUESTS, staticToken));
                    runs.add(run(gateway, clients, REQUESTS, staticToken));
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
                authentication(gateway, key, staticToken);
            } finally {
                main.stop();
                Files.deleteIfExists(registry);
            }
        }
    }

    /**
     * What checking the credentials costs, at {@code CAP} clients, alternating: the static token
     * (a constant-time compare), one JWT for every request (checked once, then remembered), and a
     * JWT of its own for each request (each signature checked: the worst case).
     */
    private static void authentication(String gateway, RSAKey key, IntFunction<String> staticToken) throws Exception {
        List<String> fresh = new ArrayList<>(REQUESTS * 2);
        for (int i = 0; i < REQUESTS * 2; i++) {
            fresh.add("Bearer " + token(key, "client-" + i));
        }
        String one = "Bearer " + token(key, "client");
        Map<String, List<Double>> perSecond = new LinkedHashMap<>();
        for (int round = 0; round < 2; round++) {
            int offset = round * REQUESTS;
            perSecond.computeIfAbsent("static token", k -> new ArrayList<>()).add(run(gateway, CAP, REQUESTS, staticToken).perSecond());
            perSecond.computeIfAbsent("one JWT, remembered", k -> new ArrayList<>()).add(run(gateway, CAP, REQUESTS, i -> one).perSecond());
            perSecond.computeIfAbsent("a new JWT per request", k -> new ArrayList<>())
                    .add(run(gateway, CAP, REQUESTS, i -> fresh.get(offset + i)).perSecond());
        }
        double baseline = perSecond.get("static token").stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        System.out.printf("%n| credentials (%d clients, 2 rounds) | req/s | × static token |%n| --- | --- | --- |%n", CAP);
        perSecond.forEach((name, figures) -> {
            double mean = figures.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
            System.out.printf("| %s | %.0f (%s) | %.3f |%n", name, mean,
                    figures.stream().map(f -> String.format("%.0f", f)).collect(Collectors.joining(", ")), mean / baseline);
        });
    }

    private static String token(RSAKey key, String subject) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer("bench-issuer").audience("functions-bridge").subject(subject)
                        .expirationTime(new Date(System.currentTimeMillis() + 3_600_000)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    /** Keeps that many requests in flight until that many are answered; the i-th carries authorization(i). */
    private static Run run(String url, int clients, int requests, IntFunction<String> authorization) throws Exception {
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
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                    .header("Authorization", authorization.apply(i)).build();
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
