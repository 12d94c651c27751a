package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The redelivery policy, dead letters of failed calls and bad records, and the commit after them. */
class FunctionFailureIT extends AbstractBridgeIT {

    private static final int CLOSED_PORT = Ports.free();

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: always-503
                    event: controllerbot_messaging_ttr
                    url: %URL%/503
                    state: deployed
                  - id: bad-request
                    event: controllerbot_messaging_consumer_step_up
                    url: %URL%/400
                    state: deployed
                  - id: too-slow
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/slow
                    state: deployed
                    timeoutMs: 300
                  - id: flaky
                    event: controllerbot_messaging_conversation_routing
                    url: %URL%/flaky
                    state: deployed
                  - id: nobody-home
                    event: controllerbot_messaging_participants_change
                    url: http://127.0.0.1:CLOSED/nobody
                    state: deployed
                  - id: fine
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/fine
                    state: deployed
                """.replace("CLOSED", String.valueOf(CLOSED_PORT));
    }

    @Override
    String autoMessagesYaml() {
        return """
                autoMessages:
                  AGENT_UPDATED_RESPONSE_TIME:
                    text: TTR changed (automatic)
                  CONSUMER_STEP_UP:
                    text: Signed in (automatic)
                  AGENT_NON_RESPONSIVE:
                    text: Sorry for the wait (automatic)
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/503", Response.status(503));
        server.on("/400", Response.status(400));
        server.on("/slow", Response.ok("[]").after(1500));
        server.on("/flaky", (request, calls) -> calls < 2 ? Response.status(502)
                : Response.ok("[{\"type\":\"transfer\",\"skillId\":\"42\"}]"));
        server.on("/fine", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"fine\"}]"));
    }

    @Test
    void aFailingFunctionIsTriedFourTimesThenDeadLetteredAndTheAutomaticMessageSent() {
        long[] offset = new long[1];
        handled(1, () -> offset[0] = sendEvent("AGENT_UPDATED_RESPONSE_TIME", "fail-503"));

        List<LocalFunctionServer.Request> calls = functions.requests("/503");
        assertThat(calls).hasSize(4);
        assertThat(calls).extracting(r -> r.header("X-Request-ID")).as("the same id on every retry").containsOnly(calls.get(0).header("X-Request-ID"));

        KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf("fail-503")).get(0);
        assertThat(dead.value()).isEqualTo(event("AGENT_UPDATED_RESPONSE_TIME", "fail-503"));
        assertThat(dead.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(dead.header("bridgeErrorMessage")).isEqualTo("function always-503 answered HTTP 503 (after 4 attempts)");
        assertThat(dead.header("bridgeAttempts")).isEqualTo("4");
        assertThat(dead.header("bridgeFunctionId")).isEqualTo("always-503");
        assertThat(dead.header("bridgeSourceTopic")).isEqualTo(bridge.events);
        assertThat(dead.header("bridgeSourcePartition")).isEqualTo("0");
        assertThat(dead.header("bridgeSourceOffset")).isEqualTo(String.valueOf(offset[0]));
        assertThat(commandValuesOf("fail-503")).singleElement().satisfies(c -> {
            assertThat(c.path("text").asText()).isEqualTo("TTR changed (automatic)");
            assertThat(c.path("origin").asText()).isEqualTo("autoMessage");
        });
    }

    @Test
    void aRejectedCallIsNotRetried() {
        handled(1, () -> sendEvent("CONSUMER_STEP_UP", "fail-400"));

        assertThat(functions.calls("/400")).isEqualTo(1);
        KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf("fail-400")).get(0);
        assertThat(dead.header("bridgeErrorReason")).isEqualTo("FUNCTION_REJECTED");
        assertThat(dead.header("bridgeAttempts")).isEqualTo("1");
        assertThat(commandValuesOf("fail-400")).singleElement()
                .satisfies(c -> assertThat(c.path("text").asText()).isEqualTo("Signed in (automatic)"));
    }

    @Test
    void aFunctionSlowerThanItsTimeoutIsRetriedThenFailed() {
        long slowBefore = outcomes().getSlowInvocations();
        handled(1, () -> sendEvent("AGENT_NON_RESPONSIVE", "fail-slow"));
        assertThat(outcomes().getSlowInvocations()).as("4 attempts of 300 ms exceed slow-ms 1000").isEqualTo(slowBefore + 1);

        KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf("fail-slow")).get(0);
        assertThat(dead.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(dead.header("bridgeErrorMessage")).contains("timed out after 300 ms");
        assertThat(dead.header("bridgeAttempts")).isEqualTo("4");
        assertThat(functions.calls("/slow")).isEqualTo(4);
        assertThat(commandValuesOf("fail-slow")).hasSize(1);
    }

    @Test
    void aConnectionRefusedIsRetriedThenFailed() {
        handled(1, () -> sendEvent("YOU_ARE_CONNECTED_TO", "fail-refused"));

        KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf("fail-refused")).get(0);
        assertThat(dead.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(dead.header("bridgeAttempts")).isEqualTo("4");
        assertThat(dead.header("bridgeErrorMessage")).doesNotContain("127.0.0.1");
    }

    @Test
    void aFunctionThatRecoversWithinTheRetriesIsNotADeadLetter() {
        handled(1, () -> sendEvent("ENGAGEMENT_TRANSFERED", "fail-flaky"));

        assertThat(functions.calls("/flaky")).isEqualTo(3);
        assertThat(deadLettersOf("fail-flaky")).isEmpty();
        assertThat(commandValuesOf("fail-flaky")).singleElement()
                .satisfies(c -> assertThat(c.path("skillId").asText()).isEqualTo("42"));
    }

    @Test
    void aPoisonRecordDoesNotBlockTheNextAndOffsetsAreCommittedAfterDeadLetters() {
        handled(4, () -> {
            kafka.send(bridge.events, "poison-1", "{\"general\": {\"cbotEventType\": ");
            kafka.send(bridge.events, null, "not json at all");
            sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "after-poison");
            kafka.send(bridge.events, "poison-2", "{\"general\":{\"convId\":\"poison-2\"}}");
        });

        KafkaRecords.Received first = awaitNonEmpty(() -> deadLettersOf("poison-1")).get(0);
        assertThat(first.header("bridgeErrorReason")).isEqualTo("MALFORMED_JSON");
        assertThat(first.value()).isEqualTo("{\"general\": {\"cbotEventType\": ");
        assertThat(first.header("bridgeAttempts")).isEqualTo("0");
        assertThat(first.headers()).doesNotContainKey("bridgeFunctionId");
        KafkaRecords.Received keyless = awaitNonEmpty(() -> deadLettersOf(null)).get(0);
        assertThat(keyless.value()).isEqualTo("not json at all");
        assertThat(awaitNonEmpty(() -> deadLettersOf("poison-2")).get(0).header("bridgeErrorReason")).isEqualTo("MISSING_EVENT_TYPE");
        assertThat(commandValuesOf("after-poison")).singleElement()
                .satisfies(c -> assertThat(c.path("text").asText()).isEqualTo("fine"));

        long end = kafka.readAll(bridge.events).stream().mapToLong(KafkaRecords.Received::offset).max().orElseThrow() + 1;
        Awaitility.await().atMost(PATIENCE).untilAsserted(() ->
                assertThat(kafka.committed(bridge.group, bridge.events)).as("committed past the dead letters").isEqualTo(end));
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.invoke.backoff-ms", "20");
    }
}
