package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Request;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * W3C trace context (docs/contract.md, "Trace context"): an event's traceparent and tracestate,
 * from its record or its gateway request, reach the function with the bridge's own span id, and
 * the event's command records and dead letter carry what the function was sent.
 */
class TraceContextIT extends AbstractBridgeIT {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01";
    private static final String TRACESTATE = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    private static final String BRIDGE_TRACEPARENT = "00-" + TRACE_ID + "-[0-9a-f]{16}-01";

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: greets
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/greets
                    state: deployed
                  - id: fails-twice
                    event: controllerbot_messaging_conversation_end
                    url: %URL%/fails-twice
                    state: deployed
                  - id: down
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/down
                    state: deployed
                  - id: chat-start
                    event: chat_start
                    url: %URL%/chat
                    state: deployed
                  - id: 11111111-0000-4000-8000-000000000001
                    name: command
                    event: conversational_command
                    url: %URL%/command
                    state: deployed
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.invoke.backoff-ms", "10");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/greets", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hello\"}]"));
        server.on("/fails-twice", (request, calls) -> calls < 2 ? Response.status(503)
                : Response.ok("[{\"type\":\"systemMessage\",\"text\":\"bye\"},{\"type\":\"closeConversation\"}]"));
        server.on("/down", Response.status(500));
        server.on("/chat", Response.ok("[]"));
        server.on("/command", Response.ok("\"done\""));
    }

    @Test
    void aMessagingEventsTraceReachesTheFunctionWithTheBridgesSpanAndEveryCommandCarriesIt() {
        handled(1, () -> kafka.send(bridge.events, "conv-traced", event("CONSUMER_OPEN_NEW_CONVERSATION", "conv-traced"),
                Map.of("traceparent", TRACEPARENT, "tracestate", TRACESTATE)));

        Request call = onlyCall("/greets", "conv-traced");
        assertThat(call.header("traceparent")).matches(BRIDGE_TRACEPARENT).doesNotContain(CALLER_SPAN);
        assertThat(call.header("tracestate")).isEqualTo(TRACESTATE);
        List<KafkaRecords.Received> commands = commandsOf("conv-traced");
        assertThat(commands).hasSize(1);
        assertThat(commands.get(0).header("traceparent")).isEqualTo(call.header("traceparent"));
        assertThat(commands.get(0).header("tracestate")).isEqualTo(TRACESTATE);
    }

    @Test
    void everyRetryOfACallCarriesTheSameTraceAndBothCommandsCarryIt() {
        handled(1, () -> kafka.send(bridge.events, "conv-retried", event("CONSUMER_END_CONVERSATION", "conv-retried"),
                Map.of("traceparent", TRACEPARENT)));

        List<Request> attempts = callsOf("/fails-twice", "conv-retried");
        assertThat(attempts).hasSize(3);
        assertThat(attempts).extracting(attempt -> attempt.header("traceparent")).allMatch(sent -> sent.matches(BRIDGE_TRACEPARENT));
        assertThat(attempts).extracting(attempt -> attempt.header("tracestate")).containsOnlyNulls();
        String sent = attempts.get(2).header("traceparent");
        assertThat(commandsOf("conv-retried")).hasSize(2).allSatisfy(command -> {
            assertThat(command.header("traceparent")).isEqualTo(sent);
            assertThat(command.header("tracestate")).isNull();
        });
    }

    @Test
    void aDeadLetterCarriesTheTraceTheFunctionWasSentInsteadOfTheRecordsOwn() {
        handled(1, () -> kafka.send(bridge.events, "conv-down", event("CONV_AWAITING_IN_QUEUE", "conv-down"),
                Map.of("traceparent", TRACEPARENT, "tracestate", TRACESTATE, "custom", "kept")));

        String sent = callsOf("/down", "conv-down").get(0).header("traceparent");
        assertThat(sent).matches(BRIDGE_TRACEPARENT);
        KafkaRecords.Received deadLetter = awaitNonEmpty(() -> deadLettersOf("conv-down")).get(0);
        assertThat(deadLetter.header("traceparent")).isEqualTo(sent);
        assertThat(deadLetter.header("tracestate")).isEqualTo(TRACESTATE);
        assertThat(deadLetter.header("custom")).isEqualTo("kept");
    }

    @Test
    void anEventWithoutATraceOrWithAMalformedOneStartsANewTrace() {
        handled(2, () -> {
            kafka.send(bridge.events, "conv-untraced", event("CONSUMER_OPEN_NEW_CONVERSATION", "conv-untraced"));
            kafka.send(bridge.events, "conv-malformed", event("CONSUMER_OPEN_NEW_CONVERSATION", "conv-malformed"),
                    Map.of("traceparent", "00-" + "0".repeat(32) + "-" + CALLER_SPAN + "-01", "tracestate", TRACESTATE));
        });

        String untraced = onlyCall("/greets", "conv-untraced").header("traceparent");
        Request malformed = onlyCall("/greets", "conv-malformed");
        assertThat(untraced).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        assertThat(malformed.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01")
                .doesNotContain("0".repeat(32)).isNotEqualTo(untraced);
        assertThat(malformed.header("tracestate")).as("a tracestate without a valid traceparent is dropped").isNull();
        assertThat(commandsOf("conv-untraced").get(0).header("traceparent")).isEqualTo(untraced);
        assertThat(commandsOf("conv-malformed").get(0).header("traceparent")).isEqualTo(malformed.header("traceparent"));
    }

    @Test
    void aChatEventsTraceReachesItsFunction() {
        handled(1, () -> kafka.send(bridge.chatEvents, "chat-traced", "{\"chatSessionKey\":\"chat-traced\"}",
                Map.of("eventId", "chat_start", "traceparent", TRACEPARENT)));

        assertThat(onlyCall("/chat", "chat-traced").header("traceparent")).matches(BRIDGE_TRACEPARENT);
    }

    @Test
    void aGatewayRequestsTraceReachesTheFunction() {
        GatewayClient.Answer answer = new GatewayClient(bridge.gatewayUrl()).post(
                "/api/account/local/lambdas/11111111-0000-4000-8000-000000000001/invoke?v=1",
                GatewayClient.envelope("{\"conversationId\":\"conv-gateway-traced\"}"), "traceparent", TRACEPARENT, "tracestate", TRACESTATE);

        assertThat(answer.status()).isEqualTo(200);
        Request call = onlyCall("/command", "conv-gateway-traced");
        assertThat(call.header("traceparent")).matches(BRIDGE_TRACEPARENT);
        assertThat(call.header("tracestate")).isEqualTo(TRACESTATE);
    }

    private List<Request> callsOf(String path, String marker) {
        return functions.requests(path).stream().filter(request -> request.body().contains(marker)).toList();
    }

    private Request onlyCall(String path, String marker) {
        List<Request> calls = callsOf(path, marker);
        assertThat(calls).hasSize(1);
        return calls.get(0);
    }
}
