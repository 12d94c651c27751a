package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a function can fail, one case each: the attempts made, the dead-letter reason, the
 * automatic message still sent, and another conversation handled meanwhile.
 */
class FunctionFaultMatrixIT extends AbstractBridgeIT {

    private static final String TEN_MB = "[" + "{\"type\":\"closeConversation\"},".repeat(10 * 1024 * 1024 / 29) + "{\"type\":\"closeConversation\"}]";
    private static final AtomicInteger CONVERSATIONS = new AtomicInteger();

    private ResettingServer resetting;
    private final int closedPort = Ports.free();

    @Override
    String functionsYaml() {
        try {
            resetting = new ResettingServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return """
                functions:
                  - id: faulty
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/faulty
                    state: deployed
                    timeoutMs: 1000
                  - id: refused
                    event: controllerbot_messaging_participants_change
                    url: http://127.0.0.1:CLOSED/refused
                    state: deployed
                  - id: resetting
                    event: controllerbot_messaging_conversation_end
                    url: RESET
                    state: deployed
                  - id: healthy
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/healthy
                    state: deployed
                """.replace("CLOSED", String.valueOf(closedPort)).replace("RESET", resetting.url());
    }

    @Override
    String autoMessagesYaml() {
        return """
                autoMessages:
                  CONV_AWAITING_IN_QUEUE:
                    text: automatic (idle)
                  YOU_ARE_CONNECTED_TO:
                    text: automatic (participants)
                  AGENT_END_CONVERSATION:
                    text: automatic (end)
                """;
    }

    @Override
    Map<String, String> properties() {
        // every case fails the same function: keep its circuit breaker out of the way here
        return Map.of("bridge.invoke.backoff-ms", "100", "bridge.circuit-breaker.minimum-calls", "1000",
                "bridge.circuit-breaker.window-size", "1000");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/healthy", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"healthy\"}]"));
    }

    @AfterAll
    void stopResetting() throws IOException {
        resetting.close();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                fault("HTTP 500", Response.status(500), 4, "FUNCTION_FAILED", "answered HTTP 500"),
                fault("HTTP 502", Response.status(502), 4, "FUNCTION_FAILED", "answered HTTP 502"),
                fault("HTTP 503", Response.status(503), 4, "FUNCTION_FAILED", "answered HTTP 503"),
                fault("HTTP 901", Response.status(901), 4, "FUNCTION_FAILED", "answered HTTP 901"),
                fault("HTTP 429 with Retry-After", new Response(429, "", 0).withHeader("Retry-After", "1"), 4, "FUNCTION_FAILED", "answered HTTP 429"),
                fault("HTTP 408", Response.status(408), 4, "FUNCTION_FAILED", "answered HTTP 408"),
                fault("sleeps past its timeoutMs", Response.ok("[]").after(1500), 4, "FUNCTION_FAILED", "timed out after 1000 ms"),
                fault("200 after 4 s with timeoutMs 1 s", Response.ok("[{\"type\":\"closeConversation\"}]").after(4000), 4, "FUNCTION_FAILED", "timed out"),
                fault("HTTP 400", Response.status(400), 1, "FUNCTION_REJECTED", "answered HTTP 400"),
                fault("HTTP 401", Response.status(401), 1, "FUNCTION_REJECTED", "answered HTTP 401"),
                fault("HTTP 404", Response.status(404), 1, "FUNCTION_REJECTED", "answered HTTP 404"),
                fault("200 with a non-JSON body", Response.ok("Internal error <b>oops</b>"), 1, "INVALID_REPLY", "not JSON"),
                fault("200 with JSON of the wrong shape", Response.ok("{\"result\":\"ok\"}"), 1, "INVALID_REPLY", "unknown type (none)"),
                fault("200 with a JSON string", Response.ok("\"done\""), 1, "INVALID_REPLY", "a JSON string"),
                fault("200 with a 10 MB reply (reading stops at the 1 MiB cap)", Response.ok(TEN_MB), 1, "INVALID_REPLY", "the reply exceeds the cap of 1048576 bytes"),
                Arguments.of("connection refused", null, "YOU_ARE_CONNECTED_TO", 4, "FUNCTION_FAILED", "call failed", "automatic (participants)"),
                Arguments.of("connection reset mid-reply", null, "AGENT_END_CONVERSATION", 4, "FUNCTION_FAILED", "call failed", "automatic (end)"));
    }

    private static Arguments fault(String name, Response response, int attempts, String reason, String message) {
        return Arguments.of(name, response, "CONV_AWAITING_IN_QUEUE", attempts, reason, message, "automatic (idle)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void aFaultyFunctionEndsInADeadLetterAndTheAutomaticMessageWhileOthersFlow(
            String name, Response response, String cbotEventType, int attempts, String reason, String message, String automatic) {
        if (response != null) {
            functions.on("/faulty", response);
        }
        int n = CONVERSATIONS.incrementAndGet();
        String faulty = "faulty-" + n;
        String healthy = "healthy-" + n;

        handled(2, () -> {
            sendEvent(cbotEventType, faulty);
            sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", healthy);
        });

        KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf(faulty)).get(0);
        assertThat(dead.header("bridgeErrorReason")).isEqualTo(reason);
        assertThat(dead.header("bridgeErrorMessage")).contains(message);
        assertThat(dead.header("bridgeAttempts")).isEqualTo(String.valueOf(attempts));
        assertThat(commandValuesOf(faulty)).as("the automatic message is still sent").singleElement()
                .satisfies(c -> assertThat(c.path("text").asText()).isEqualTo(automatic));

        KafkaRecords.Received healthyCommand = commandsOf(healthy).get(0);
        assertThat(json(healthyCommand.value()).path("text").asText()).isEqualTo("healthy");
        if (attempts > 1) {
            long healthyWritten = kafka.readAll(bridge.commands).stream().filter(r -> r.key().equals(healthy)).findFirst().orElseThrow().offset();
            long faultyWritten = kafka.readAll(bridge.commands).stream().filter(r -> r.key().equals(faulty)).findFirst().orElseThrow().offset();
            assertThat(healthyWritten).as("the other conversation did not wait for the retries").isLessThan(faultyWritten);
        }
    }

    @Test
    void aRetryAfterSetsTheDelayBeforeTheNextAttemptOnly() {
        String faulty = "faulty-retry-after";
        AtomicInteger attempt = new AtomicInteger();
        functions.onRequest("/faulty", request -> attempt.incrementAndGet() == 1
                ? Response.status(429).withHeader("Retry-After", "2")
                : Response.status(503));

        handled(1, () -> sendEvent("CONV_AWAITING_IN_QUEUE", faulty));

        assertThat(awaitNonEmpty(() -> deadLettersOf(faulty)).get(0).header("bridgeAttempts")).isEqualTo("4");
        List<Long> received = functions.requests("/faulty").stream().filter(r -> r.body().contains(faulty))
                .map(LocalFunctionServer.Request::receivedMillis).toList();
        assertThat(received).hasSize(4);
        assertThat(received.get(1) - received.get(0)).as("waited as Retry-After asked").isGreaterThanOrEqualTo(1950);
        // the header is not reused: the next delay is the exponential backoff again, grown from the
        // last delay (Camel's policy: 2 s x 2), not the Retry-After's 2 s once more
        assertThat(received.get(2) - received.get(1)).as("the backoff, grown from the Retry-After delay").isGreaterThanOrEqualTo(3900);
    }
}
