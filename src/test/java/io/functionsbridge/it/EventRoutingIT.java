package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.event.SeedEventTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Content-based routing: every cbotEventType of the seeds' table to its function; chat events. */
class EventRoutingIT extends AbstractBridgeIT {

    private static final List<String> MESSAGING_EVENTS = List.of(
            "controllerbot_messaging_new_conversation", "controllerbot_messaging_conversation_end",
            "controllerbot_messaging_conversation_routing", "controllerbot_messaging_participants_change",
            "controllerbot_messaging_ttr", "controllerbot_messaging_mid_conversation_msg",
            "controllerbot_messaging_conversation_idle", "controllerbot_messaging_consumer_step_up");

    @Override
    String functionsYaml() {
        StringBuilder yaml = new StringBuilder("functions:\n");
        for (String event : MESSAGING_EVENTS) {
            yaml.append("  - id: fn-").append(event).append("\n    event: ").append(event)
                    .append("\n    url: %URL%/fn/").append(event).append("\n    state: deployed\n");
        }
        yaml.append("""
                  - id: chat-queue
                    event: chat_in_queue
                    url: %URL%/chat/in-queue
                    state: deployed
                  - id: chat-start
                    event: chat_start
                    url: %URL%/chat/start
                    state: deployed
                  - id: chat-end
                    event: chat_end
                    url: %URL%/chat/end
                    state: undeployed
                """);
        return yaml.toString();
    }

    @Override
    String autoMessagesYaml() {
        return "autoMessages:\n  chat_start:\n    text: never for chat\n";
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        for (String event : MESSAGING_EVENTS) {
            server.on("/fn/" + event, Response.ok("[]"));
        }
        server.on("/chat/in-queue", Response.ok(""));
        server.on("/chat/start", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"chat takes none\"},{\"type\":\"closeConversation\"}]"));
        server.on("/chat/end", Response.ok("[]"));
    }

    @Test
    void everyCbotEventTypeOfTheSeedsReachesTheFunctionOfItsEvent() {
        Map<String, String> table = SeedEventTable.rows();
        handled(table.size(), () -> table.keySet().forEach(type -> sendEvent(type, "route-" + type)));

        table.forEach((type, mappedTo) -> {
            String path = "/fn/" + SeedEventTable.eventId(mappedTo);
            assertThat(functions.requests(path))
                    .as("%s -> %s", type, mappedTo)
                    .anySatisfy(request -> assertThat(json(request.body()).at("/payload/general/cbotEventType").asText()).isEqualTo(type));
        });
        int calls = MESSAGING_EVENTS.stream().mapToInt(event -> functions.calls("/fn/" + event)).sum();
        assertThat(calls).as("each event called exactly one function once").isEqualTo(table.size());
    }

    @Test
    void anUnknownTypeIsADeadLetterAndCallsNothing() {
        int callsBefore = MESSAGING_EVENTS.stream().mapToInt(event -> functions.calls("/fn/" + event)).sum();
        handled(2, () -> {
            sendEvent("AGENT_DANCED", "unknown-1");
            sendEvent("consumer_step_up", "unknown-2");
        });
        for (String key : List.of("unknown-1", "unknown-2")) {
            KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf(key)).get(0);
            assertThat(dead.header("bridgeErrorReason")).isEqualTo("UNKNOWN_EVENT_TYPE");
            assertThat(dead.header("bridgeAttempts")).isEqualTo("0");
            assertThat(dead.headers()).doesNotContainKey("bridgeFunctionId");
        }
        assertThat(MESSAGING_EVENTS.stream().mapToInt(event -> functions.calls("/fn/" + event)).sum()).isEqualTo(callsBefore);
    }

    @Test
    void chatFunctionsAreCalledAndTheirRepliesNotExecuted() {
        handled(3, () -> {
            kafka.send(bridge.chatEvents, "chat-a", "{\"chatSessionKey\":\"chat-a\"}", Map.of("eventId", "chat_in_queue"));
            kafka.send(bridge.chatEvents, "chat-a", "{\"chatSessionKey\":\"chat-a\"}", Map.of("eventId", "chat_start"));
            kafka.send(bridge.chatEvents, "chat-a", "{\"chatSessionKey\":\"chat-a\"}", Map.of("eventId", "chat_end"));
        });
        assertThat(functions.calls("/chat/in-queue")).isEqualTo(1);
        assertThat(functions.calls("/chat/start")).isEqualTo(1);
        assertThat(functions.calls("/chat/end")).as("undeployed").isZero();
        assertThat(json(functions.requests("/chat/start").get(0).body()).at("/payload/chatSessionKey").asText()).isEqualTo("chat-a");
        assertThat(commandsOf("chat-a")).as("chat takes no commands, nor automatic messages").isEmpty();
        assertThat(deadLettersOf("chat-a")).isEmpty();
        assertThat(outcomes().getRepliesNotExecuted()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void chatRecordsWithoutOrWithAnUnknownEventIdAreDeadLetters() {
        handled(2, () -> {
            kafka.send(bridge.chatEvents, "chat-b", "{}", Map.of());
            kafka.send(bridge.chatEvents, "chat-c", "{}", Map.of("eventId", "chat_dance"));
        });
        assertThat(awaitNonEmpty(() -> deadLettersOf("chat-b")).get(0).header("bridgeErrorReason")).isEqualTo("MISSING_EVENT_TYPE");
        assertThat(awaitNonEmpty(() -> deadLettersOf("chat-c")).get(0).header("bridgeErrorReason")).isEqualTo("UNKNOWN_EVENT_TYPE");
    }
}
