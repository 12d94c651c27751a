package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Replies -> command routes -> command records, and what the function is sent. */
class CommandsIT extends AbstractBridgeIT {

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: all-commands
                    name: every command, backwards and twice
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/all
                    state: deployed
                  - id: invalid-mixed
                    event: controllerbot_messaging_conversation_end
                    url: %URL%/invalid
                    state: deployed
                  - id: recorder
                    event: controllerbot_messaging_ttr
                    url: %URL%/recorder
                    state: deployed
                  - id: not-json
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/not-json
                    state: deployed
                """;
    }

    @Override
    String autoMessagesYaml() {
        return """
                autoMessages:
                  CONSUMER_END_CONVERSATION:
                    enabled: true
                    text: Bye from the account
                  CONV_AWAITING_IN_QUEUE:
                    enabled: true
                    text: Still in the queue
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/all", Response.ok("""
                [{"type":"closeConversation"},
                 {"type":"transfer","skillId":"123456","agentId":"agent-9"},
                 {"type":"systemMessage","text":"your message"},
                 {"type":"systemMessage","text":"second, never sent"},
                 {"type":"transfer","skillId":"777"}]"""));
        server.on("/invalid", Response.ok("[{\"type\":\"transfer\"},{\"type\":\"dance\"},{\"type\":\"closeConversation\"}]"));
        server.on("/recorder", Response.ok("[]"));
        server.on("/not-json", Response.ok("<html>Internal</html>"));
    }

    @Test
    void everyCommandTypeIsWrittenOnceInTheContractsOrder() {
        long[] offset = new long[1];
        handled(1, () -> offset[0] = sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-all"));

        List<KafkaRecords.Received> records = commandsOf("conv-all");
        assertThat(records).extracting(r -> json(r.value()).path("type").asText())
                .containsExactly("systemMessage", "transfer", "closeConversation");
        JsonNode message = json(records.get(0).value());
        assertThat(message.path("text").asText()).isEqualTo("your message");
        assertThat(message.path("origin").asText()).isEqualTo("function");
        assertThat(message.path("functionId").asText()).isEqualTo("all-commands");
        assertThat(message.path("eventId").asText()).isEqualTo("controllerbot_messaging_new_conversation");
        assertThat(message.path("cbotEventType").asText()).isEqualTo("CONSUMER_OPEN_NEW_CONVERSATION");
        assertThat(message.path("convId").asText()).isEqualTo("conv-all");
        JsonNode transfer = json(records.get(1).value());
        assertThat(transfer.path("skillId").asText()).isEqualTo("123456");
        assertThat(transfer.path("agentId").asText()).isEqualTo("agent-9");

        for (KafkaRecords.Received record : records) {
            JsonNode command = json(record.value());
            String expectedId = UUID.nameUUIDFromBytes((bridge.events + "/0/" + offset[0] + "/" + command.path("type").asText())
                    .getBytes(StandardCharsets.UTF_8)).toString();
            assertThat(command.path("commandId").asText()).as("derived from topic, partition, offset and type").isEqualTo(expectedId);
            assertThat(record.headers()).as("no transport headers leak into command records, only the event's trace")
                    .containsOnlyKeys("traceparent");
        }
        assertThat(deadLettersOf("conv-all")).isEmpty();
    }

    @Test
    void invalidCommandsAreDeadLetteredWhileTheValidOnesRun() {
        handled(1, () -> sendEvent("CONSUMER_END_CONVERSATION", "conv-invalid"));

        assertThat(commandValuesOf("conv-invalid")).extracting(c -> c.path("type").asText() + "/" + c.path("origin").asText())
                .containsExactly("systemMessage/autoMessage", "closeConversation/function");
        assertThat(commandValuesOf("conv-invalid").get(0).path("text").asText()).isEqualTo("Bye from the account");
        KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf("conv-invalid")).get(0);
        assertThat(dead.header("bridgeErrorReason")).isEqualTo("INVALID_REPLY");
        assertThat(dead.header("bridgeErrorMessage"))
                .contains("command 0 is a transfer with neither skillId nor agentId")
                .contains("command 1 has unknown type \"dance\"");
        assertThat(dead.header("bridgeAttempts")).isEqualTo("1");
        assertThat(dead.header("bridgeFunctionId")).isEqualTo("invalid-mixed");
        assertThat(dead.value()).isEqualTo(event("CONSUMER_END_CONVERSATION", "conv-invalid"));
    }

    @Test
    void aReplyThatIsNotJsonIsAnInvalidReplyAndTheAutomaticMessageIsSent() {
        handled(1, () -> sendEvent("CONV_AWAITING_IN_QUEUE", "conv-html"));

        assertThat(awaitNonEmpty(() -> deadLettersOf("conv-html")).get(0).header("bridgeErrorReason")).isEqualTo("INVALID_REPLY");
        assertThat(commandValuesOf("conv-html")).singleElement()
                .satisfies(c -> assertThat(c.path("text").asText()).isEqualTo("Still in the queue"));
    }

    @Test
    void theFunctionGetsTheEnvelopeAndTheContractsHeadersOnly() {
        String envelope = "{\"timestamp\":1,\"headers\":[{\"x\":1}],\"payload\":" + event("AGENT_UPDATED_RESPONSE_TIME", "conv-req") + "}";
        handled(1, () -> kafka.send(bridge.events, "conv-req", envelope, java.util.Map.of("skillId", "42", "traceparent", "abc")));

        LocalFunctionServer.Request request = functions.requests("/recorder").stream()
                .filter(r -> r.body().contains("conv-req")).findFirst().orElseThrow();
        assertThat(request.header("Content-Type")).startsWith("application/json");
        assertThat(request.header("X-Request-ID")).isNotBlank();
        assertThat(request.headers().keySet()).noneMatch(name -> name.toLowerCase().startsWith("kafka")
                || name.equalsIgnoreCase("skillId") || name.toLowerCase().startsWith("camel") || name.toLowerCase().startsWith("bridge"));
        assertThat(request.header("traceparent")).as("a malformed traceparent starts a new trace").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
        JsonNode body = json(request.body());
        assertThat(body.path("timestamp").isNumber()).isTrue();
        assertThat(body.path("headers").isArray()).isTrue();
        assertThat(body.path("headers")).isEmpty();
        assertThat(body.path("payload")).isEqualTo(json(event("AGENT_UPDATED_RESPONSE_TIME", "conv-req")));
    }

    @Test
    void aConversationsEventsAreHandledInTheOrderTheyWereWritten() {
        List<String> types = List.of("CONSUMER_ASKED_URGENT_RESPONSE_TIME", "AGENT_UPDATED_RESPONSE_TIME",
                "CONSUMER_CANCELED_URGENT_RESPONSE_TIME", "AGENT_UPDATED_RESPONSE_TIME", "CONSUMER_ASKED_URGENT_RESPONSE_TIME");
        int before = functions.calls("/recorder");
        handled(types.size(), () -> types.forEach(type -> sendEvent(type, "conv-order")));

        List<String> seen = functions.requests("/recorder").subList(before, before + types.size()).stream()
                .map(r -> json(r.body()).at("/payload/general/cbotEventType").asText()).toList();
        assertThat(seen).containsExactlyElementsOf(types);
    }
}
