package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Request;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OAuth2 client credentials to the functions (docs/contract.md, "OAuth2 to functions"), against a
 * real local token endpoint: one token however many calls are in flight, renewed before it
 * expires, fetched again after a 401, the endpoint down or refusing, and functions that opt out.
 */
class OAuth2IT extends AbstractBridgeIT {

    private static final String CLIENT_SECRET = "s3cr3t-client-value";

    /** The token endpoint's state: the tokens it issued, with their expiry, and the revoked ones. */
    private final Map<String, Long> issued = new ConcurrentHashMap<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private final AtomicInteger refusedCalls = new AtomicInteger();
    private final AtomicLong lifetimeSeconds = new AtomicLong(3600);
    private volatile long tokenDelayMs;

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: 4d6e0c1a-7b2f-4e8a-9c3d-5f1a2b3c4d5e
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/api/account/le-1/lambdas/4d6e0c1a-7b2f-4e8a-9c3d-5f1a2b3c4d5e/invoke?v=1
                    state: deployed
                  - id: opted-out
                    event: controllerbot_messaging_conversation_end
                    url: %URL%/open
                    state: deployed
                    auth: none
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of(
                "bridge.invoke.oauth2.token-url", "%URL%/token",
                "bridge.invoke.oauth2.client-id", "bridge",
                "bridge.invoke.oauth2.client-secret", CLIENT_SECRET,
                "bridge.invoke.oauth2.scope", "functions.invoke",
                "bridge.max-in-flight", "1000");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.onRequest("/token", this::token);
        server.onRequest("/api/account/le-1/lambdas/4d6e0c1a-7b2f-4e8a-9c3d-5f1a2b3c4d5e/invoke", request -> {
            String authorization = request.header("Authorization");
            String token = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : null;
            Long expires = token == null ? null : issued.get(token);
            if (expires == null || expires < System.currentTimeMillis() || revoked.contains(token)) {
                refusedCalls.incrementAndGet();
                return Response.status(401);
            }
            return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"with a token\"}]").after(50);
        });
        server.on("/open", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"open\"}]"));
        server.on("/token-down", Response.status(503));
    }

    /** The token endpoint: client credentials in, a token with its lifetime out. */
    private Response token(Request request) {
        tokenRequests.incrementAndGet();
        Map<String, String> form = form(request.body());
        if (!"client_credentials".equals(form.get("grant_type")) || !"bridge".equals(form.get("client_id"))
                || !CLIENT_SECRET.equals(form.get("client_secret")) || !"functions.invoke".equals(form.get("scope"))) {
            return new Response(401, "{\"error\":\"invalid_client\"}", 0);
        }
        String token = "tok-" + tokenRequests.get() + "-" + System.nanoTime();
        issued.put(token, System.currentTimeMillis() + lifetimeSeconds.get() * 1000);
        return new Response(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":" + lifetimeSeconds.get() + "}",
                tokenDelayMs);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            form.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8), parts.length < 2 ? "" : URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
        }
        return form;
    }

    @BeforeEach
    void resetTheTokenEndpoint() {
        tokenDelayMs = 0;
        lifetimeSeconds.set(3600);
    }

    private String functionPath() {
        return "/api/account/le-1/lambdas/4d6e0c1a-7b2f-4e8a-9c3d-5f1a2b3c4d5e/invoke";
    }

    @Test
    void aThousandEventsInFlightShareOneTokenRequestAndThePlatformsUrlKeepsItsQuery() {
        // the first token is slow to come: every call waits for it
        revoked.addAll(issued.keySet());
        tokenDelayMs = 1000;
        int before = tokenRequests.get();
        List<Map.Entry<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(Map.entry("many-" + i, event("CONSUMER_OPEN_NEW_CONVERSATION", "many-" + i)));
        }
        handled(1000, () -> kafka.sendAll(bridge.events, records));

        assertThat(tokenRequests.get() - before).as("token requests for 1000 events").isEqualTo(1);
        assertThat(deadLettersOf("many-7")).isEmpty();
        assertThat(commandValuesOf("many-999")).extracting(command -> command.path("text").asText()).containsExactly("with a token");
        assertThat(functions.requests(functionPath())).anySatisfy(request -> assertThat(request.query()).isEqualTo("v=1"));
        assertThat(JmxScan.attributesContaining(CLIENT_SECRET)).as("JMX attributes showing the client secret").isEmpty();
        for (String token : issued.keySet()) {
            assertThat(JmxScan.attributesContaining(token)).as("JMX attributes showing a token").isEmpty();
        }
    }

    @Test
    void aShortLivedTokenIsRenewedBeforeItExpires() {
        lifetimeSeconds.set(5);
        revoked.addAll(issued.keySet());
        int refusedBefore = refusedCalls.get();
        int tokensBefore = tokenRequests.get();
        long end = System.currentTimeMillis() + 20_000;
        int sent = 0;
        while (System.currentTimeMillis() < end) {
            String conv = "renew-" + sent++;
            handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", conv));
        }
        // the first call met a revoked token: one 401, then a fresh one; none after that
        assertThat(refusedCalls.get() - refusedBefore).as("calls refused over %d events in 20 s", sent).isLessThanOrEqualTo(1);
        assertThat(tokenRequests.get() - tokensBefore).as("tokens fetched over 20 s with a 5 s lifetime").isGreaterThanOrEqualTo(5);
        assertThat(deadLettersOf("renew-" + (sent - 1))).isEmpty();
    }

    @Test
    void aRevokedTokenIsFetchedAgainAndTheEventStillSucceeds() {
        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "before-revoke"));
        revoked.addAll(issued.keySet());
        int tokensBefore = tokenRequests.get();
        int refusedBefore = refusedCalls.get();

        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "after-revoke"));

        assertThat(refusedCalls.get() - refusedBefore).as("the call with the revoked token").isEqualTo(1);
        assertThat(tokenRequests.get() - tokensBefore).isEqualTo(1);
        assertThat(commandValuesOf("after-revoke")).extracting(command -> command.path("text").asText()).containsExactly("with a token");
        assertThat(deadLettersOf("after-revoke")).isEmpty();
    }

    @Test
    void aFunctionThatOptsOutGetsNoAuthorizationHeader() {
        handled(1, () -> sendEvent("CONSUMER_END_CONVERSATION", "opted-out-1"));
        List<Request> calls = awaitNonEmpty(() -> functions.requests("/open"));
        assertThat(calls).allSatisfy(request -> assertThat(request.header("Authorization")).isNull());
        assertThat(commandValuesOf("opted-out-1")).extracting(command -> command.path("text").asText()).containsExactly("open");
    }

    @Test
    void aTokenEndpointThatIsDownMeansRetriesThenFunctionFailed() {
        int tries = functions.calls("/token-down");
        KafkaRecords.Received failing = deadLetterOfABridgeWith(Map.of("bridge.invoke.oauth2.token-url", "%URL%/token-down"));
        assertThat(failing.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(failing.header("bridgeAttempts")).as("no function call was made").isEqualTo("0");
        assertThat(failing.header("bridgeErrorMessage")).contains("token endpoint http://127.0.0.1:" + functions.port() + "/token-down answered HTTP 503");
        assertThat(functions.calls("/token-down") - tries).as("token requests: the first try and 3 retries").isEqualTo(4);

        KafkaRecords.Received unreachable = deadLetterOfABridgeWith(Map.of("bridge.invoke.oauth2.token-url", "http://127.0.0.1:9/token"));
        assertThat(unreachable.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(unreachable.header("bridgeErrorMessage")).contains("token endpoint http://127.0.0.1:9/token could not be reached");
    }

    @Test
    void badClientCredentialsMeanFunctionRejectedNamingTheTokenEndpoint() {
        KafkaRecords.Received deadLetter = deadLetterOfABridgeWith(Map.of("bridge.invoke.oauth2.client-secret", "wrong-" + CLIENT_SECRET));
        assertThat(deadLetter.header("bridgeErrorReason")).isEqualTo("FUNCTION_REJECTED");
        assertThat(deadLetter.header("bridgeErrorMessage"))
                .contains("token endpoint http://127.0.0.1:" + functions.port() + "/token refused the client credentials")
                .doesNotContain(CLIENT_SECRET);
    }

    /** A bridge of its own (a token of its own), with these settings changed: the dead letter of its one event. */
    private KafkaRecords.Received deadLetterOfABridgeWith(Map<String, String> changed) {
        String url = "http://127.0.0.1:" + functions.port();
        Map<String, String> settings = new HashMap<>();
        properties().forEach((key, value) -> settings.put(key, value.replace("%URL%", url)));
        changed.forEach((key, value) -> settings.put(key, value.replace("%URL%", url)));
        try (RunningBridge own = RunningBridge.start(kafka, functionsYaml().replace("%URL%", url), "autoMessages: {}\n", settings)) {
            kafka.send(own.events, "own-1", event("CONSUMER_OPEN_NEW_CONVERSATION", "own-1"));
            return Awaitility.await().atMost(PATIENCE).until(() -> kafka.readAll(own.deadLetters), list -> !list.isEmpty()).get(0);
        }
    }
}
