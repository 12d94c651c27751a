package io.functionsbridge.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.output.DeadLetterReason;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventReaderTest {

    private final EventReader reader = new EventReader();

    private BridgeEvent read(String key, String value, Map<String, Object> extraHeaders) {
        Map<String, Object> headers = new HashMap<>(extraHeaders);
        headers.put("kafka.TOPIC", "events");
        headers.put("kafka.PARTITION", 2);
        headers.put("kafka.OFFSET", 41L);
        if (key != null) {
            headers.put("kafka.KEY", key.getBytes(StandardCharsets.UTF_8));
        }
        BridgeEvent event = reader.receive(value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers);
        reader.readConversationEvent(event);
        return event;
    }

    private BridgeEvent read(String value) {
        return read("k", value, Map.of());
    }

    private void assertRejected(String value, DeadLetterReason reason, String messagePart) {
        assertThatThrownBy(() -> read(value))
                .isInstanceOfSatisfying(RejectedEventException.class, e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    @Test
    void readsThePayloadObject() {
        BridgeEvent event = read("c1", "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"conv-9\"}}", Map.of());
        assertThat(event.getEventType()).isEqualTo("CONSUMER_STEP_UP");
        assertThat(event.getConvId()).isEqualTo("conv-9");
        assertThat(event.getSourceTopic()).isEqualTo("events");
        assertThat(event.getSourcePartition()).isEqualTo(2);
        assertThat(event.getSourceOffset()).isEqualTo(41L);
        assertThat(event.getPayload().path("general").path("convId").asText()).isEqualTo("conv-9");
    }

    @Test
    void readsTheInvocationEnvelope() {
        BridgeEvent event = read("{\"timestamp\":1,\"headers\":[],\"payload\":{\"general\":{\"cbotEventType\":\"BACK_TO_QUEUE\",\"convId\":\"c2\"}}}");
        assertThat(event.getEventType()).isEqualTo("BACK_TO_QUEUE");
        assertThat(event.getPayload().has("timestamp")).isFalse();
        assertThat(event.getPayload().path("general").path("convId").asText()).isEqualTo("c2");
    }

    @Test
    void theConversationIsTheRecordKeyWhenThePayloadHasNone() {
        assertThat(read("key-conv", "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\"}}", Map.of()).getConvId()).isEqualTo("key-conv");
        assertThatThrownBy(() -> read(null, "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\"}}", Map.of()))
                .isInstanceOfSatisfying(RejectedEventException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MISSING_CONVERSATION_ID));
    }

    @Test
    void theSkillIsTheHeaderThenGeneralThenRouting() {
        String both = "{\"general\":{\"cbotEventType\":\"ENGAGEMENT_TRANSFERED\",\"convId\":\"c\",\"skillId\":\"g\"},\"routing\":{\"newSkillId\":\"r\"}}";
        String routingOnly = "{\"general\":{\"cbotEventType\":\"ENGAGEMENT_TRANSFERED\",\"convId\":\"c\"},\"routing\":{\"newSkillId\":563267}}";
        assertThat(read("c", both, Map.of("skillId", "h".getBytes(StandardCharsets.UTF_8))).getSkillId()).isEqualTo("h");
        assertThat(read("c", both, Map.of()).getSkillId()).isEqualTo("g");
        assertThat(read("c", routingOnly, Map.of()).getSkillId()).isEqualTo("563267");
        assertThat(read("{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"c\"}}").getSkillId()).isNull();
    }

    @Test
    void badRecordsAreRejectedWithTheirReason() {
        assertRejected("{\"general\": {", DeadLetterReason.MALFORMED_JSON, "not JSON");
        assertRejected("[1,2]", DeadLetterReason.MALFORMED_JSON, "an array, not a JSON object");
        assertRejected("\"text\"", DeadLetterReason.MALFORMED_JSON, "a string");
        assertRejected("", DeadLetterReason.MALFORMED_JSON, "no value");
        assertRejected(null, DeadLetterReason.MALFORMED_JSON, "no value");
        assertRejected("{\"payload\":[1]}", DeadLetterReason.MALFORMED_JSON, "envelope's payload is an array");
        assertRejected("{\"end\":{}}", DeadLetterReason.MISSING_EVENT_TYPE, "no 'general' block");
        assertRejected("{\"general\":\"x\"}", DeadLetterReason.MISSING_EVENT_TYPE, "'general' is a string");
        assertRejected("{\"general\":{\"convId\":\"c\"}}", DeadLetterReason.MISSING_EVENT_TYPE, "missing");
        assertRejected("{\"general\":{\"cbotEventType\":null}}", DeadLetterReason.MISSING_EVENT_TYPE, "missing");
        assertRejected("{\"general\":{\"cbotEventType\":42}}", DeadLetterReason.MISSING_EVENT_TYPE, "a number, not a string");
        assertRejected("{\"general\":{\"cbotEventType\":\"  \"}}", DeadLetterReason.MISSING_EVENT_TYPE, "empty");
    }

    @Test
    void surroundingSpacesOfTheTypeAreIgnoredButNotItsCase() {
        assertThat(read("{\"general\":{\"cbotEventType\":\" CONSUMER_STEP_UP \",\"convId\":\"c\"}}").getEventType()).isEqualTo("CONSUMER_STEP_UP");
        assertThat(read("{\"general\":{\"cbotEventType\":\"consumer_step_up\",\"convId\":\"c\"}}").getEventType()).isEqualTo("consumer_step_up");
    }

    @Test
    void chatEventsAreNamedByTheirEventIdHeader() {
        Map<String, Object> headers = new HashMap<>();
        headers.put("kafka.TOPIC", "chat");
        headers.put("kafka.PARTITION", 0);
        headers.put("kafka.OFFSET", 3L);
        headers.put("eventId", "chat_start".getBytes(StandardCharsets.UTF_8));
        BridgeEvent event = reader.receiveChat("{\"chatSessionKey\":\"s-1\"}".getBytes(StandardCharsets.UTF_8), headers);
        reader.readChatEvent(event);
        assertThat(event.isChat()).isTrue();
        assertThat(event.getEventType()).isEqualTo("chat_start");
        assertThat(event.getConvId()).isEqualTo("s-1");

        headers.remove("eventId");
        BridgeEvent unnamed = reader.receiveChat("{}".getBytes(StandardCharsets.UTF_8), headers);
        assertThatThrownBy(() -> reader.readChatEvent(unnamed))
                .isInstanceOfSatisfying(RejectedEventException.class, e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MISSING_EVENT_TYPE));
    }
}
