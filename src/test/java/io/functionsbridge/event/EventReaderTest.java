package io.functionsbridge.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.RejectedEventException;
import io.functionsbridge.domain.UnknownEventTypeException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

class EventReaderTest {

    private final EventReader reader = new EventReader();

    private BridgeEvent read(String key, String value, String skillHeader) {
        return reader.read("events", 2, 41L, bytes(key), bytes(value), skillHeader, null);
    }

    private BridgeEvent read(String value) {
        return read("k", value, null);
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    private static String payload(BridgeEvent event) {
        return new String(event.record().payload(), StandardCharsets.UTF_8);
    }

    private void assertRejected(String value, DeadLetterReason reason, String messagePart) {
        BridgeEvent event = read(value);
        assertThat(event.record().isReadable()).as(value).isFalse();
        assertThat(event.outcome().getDeadLetterReason()).as(value).isEqualTo(reason);
        assertThat(event.outcome().getDeadLetterMessage()).as(value).contains(messagePart);
    }

    @Test
    void readsThePayloadObjectAsTheRecordHoldsIt() {
        String value = "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"conv-9\"},\"n\":1e400}";
        BridgeEvent event = read("c1", value, null);
        assertThat(event.record().isReadable()).isTrue();
        assertThat(event.record().eventType()).isEqualTo("CONSUMER_STEP_UP");
        assertThat(event.record().convId()).isEqualTo("conv-9");
        assertThat(event.record().topic()).isEqualTo("events");
        assertThat(event.record().partition()).isEqualTo(2);
        assertThat(event.record().offset()).isEqualTo(41L);
        assertThat(payload(event)).isEqualTo(value);
    }

    @Test
    void readsTheInvocationEnvelope() {
        String payload = "{\"general\":{\"cbotEventType\":\"BACK_TO_QUEUE\",\"convId\":\"c2\"}, \"x\": [1, {\"y\": null}]}";
        BridgeEvent event = read("{\"timestamp\":1,\"headers\":[],\"payload\":" + payload + " }");
        assertThat(event.record().eventType()).isEqualTo("BACK_TO_QUEUE");
        assertThat(event.record().convId()).isEqualTo("c2");
        assertThat(payload(event)).isEqualTo(payload);
    }

    @Test
    void aByteOrderMarkIsNotPartOfThePayload() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] json = bytes("{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"c\"}}");
        byte[] value = new byte[bom.length + json.length];
        System.arraycopy(bom, 0, value, 0, bom.length);
        System.arraycopy(json, 0, value, bom.length, json.length);
        BridgeEvent event = reader.read("events", 0, 1, null, value, null, null);
        assertThat(event.record().isReadable()).isTrue();
        assertThat(event.record().payload()).isEqualTo(json);
    }

    @Test
    void theConversationIsTheRecordKeyWhenThePayloadHasNone() {
        assertThat(read("key-conv", "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\"}}", null).record().convId()).isEqualTo("key-conv");
        BridgeEvent none = read(null, "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\"}}", null);
        assertThat(none.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.MISSING_CONVERSATION_ID);
    }

    @Test
    void aRecordIsOrderedByItsKeyElseByTheConversationItsValueNames() {
        String value = "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"conv-7\"}}";
        assertThat(reader.orderingKey(read("conv-7", value, null))).isEqualTo("conv-7");
        assertThat(reader.orderingKey(read(null, value, null))).as("unkeyed: its convId").isEqualTo("conv-7");
        assertThat(reader.orderingKey(read("other", value, null))).as("the key wins").isEqualTo("other");
        assertThat(reader.orderingKey(read(null, "{not json", null))).as("unreadable and unkeyed: no order").isNull();
        assertThat(reader.orderingKey(read("conv-7", "{not json", null))).as("unreadable, keyed").isEqualTo("conv-7");
        assertThat(reader.orderingKey(read(null, "{\"general\":{\"cbotEventType\":\"X\",\"convId\":\"\"}}", null))).isNull();
    }

    @Test
    void theSkillIsTheHeaderThenGeneralThenRouting() {
        String both = "{\"general\":{\"cbotEventType\":\"ENGAGEMENT_TRANSFERED\",\"convId\":\"c\",\"skillId\":\"g\"},\"routing\":{\"newSkillId\":\"r\"}}";
        String routingOnly = "{\"general\":{\"cbotEventType\":\"ENGAGEMENT_TRANSFERED\",\"convId\":\"c\"},\"routing\":{\"newSkillId\":563267}}";
        assertThat(read("c", both, "h").record().skillId()).isEqualTo("h");
        assertThat(read("c", both, null).record().skillId()).isEqualTo("g");
        assertThat(read("c", routingOnly, null).record().skillId()).isEqualTo("563267");
        assertThat(read("{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"c\"}}").record().skillId()).isNull();
    }

    @Test
    void badRecordsAreRefusedWithTheirReason() {
        assertRejected("{\"general\": {", DeadLetterReason.MALFORMED_JSON, "not JSON");
        assertRejected("[1,2]", DeadLetterReason.MALFORMED_JSON, "an array, not a JSON object");
        assertRejected("\"text\"", DeadLetterReason.MALFORMED_JSON, "a string");
        assertRejected("", DeadLetterReason.MALFORMED_JSON, "no value");
        assertRejected(null, DeadLetterReason.MALFORMED_JSON, "no value");
        assertRejected("{} {}", DeadLetterReason.MALFORMED_JSON, "not JSON");
        assertRejected("{\"a\":1,\"a\":2}", DeadLetterReason.MALFORMED_JSON, "Duplicate field 'a'");
        assertRejected("{\"general\":{\"x\":{\"a\":1,\"a\":2}}}", DeadLetterReason.MALFORMED_JSON, "Duplicate field 'a'");
        assertRejected("{\"payload\":[1]}", DeadLetterReason.MALFORMED_JSON, "envelope's payload is an array");
        assertRejected("{\"end\":{}}", DeadLetterReason.MISSING_EVENT_TYPE, "no 'general' block");
        assertRejected("{\"general\":\"x\"}", DeadLetterReason.MISSING_EVENT_TYPE, "'general' is a string");
        assertRejected("{\"general\":{\"convId\":\"c\"}}", DeadLetterReason.MISSING_EVENT_TYPE, "missing");
        assertRejected("{\"general\":{\"cbotEventType\":null}}", DeadLetterReason.MISSING_EVENT_TYPE, "missing");
        assertRejected("{\"general\":{\"cbotEventType\":42}}", DeadLetterReason.MISSING_EVENT_TYPE, "a number, not a string");
        assertRejected("{\"general\":{\"cbotEventType\":\"  \"}}", DeadLetterReason.MISSING_EVENT_TYPE, "empty");
        assertRejected("{\"general\":{\"cbotEventType\":\"" + "X".repeat(200) + "\"}}", DeadLetterReason.UNKNOWN_EVENT_TYPE, "200 characters long");
        assertRejected("[".repeat(1200) + "]".repeat(1200), DeadLetterReason.MALFORMED_JSON, "not JSON");
    }

    @Test
    void aRefusedEventHasNoTypeToRouteOnAndRefusingItThrowsItsRefusal() {
        BridgeEvent bad = read("{oops");
        assertThat(reader.properties(bad)).containsOnlyKeys(BridgeEvent.PROPERTY);
        assertThatThrownBy(() -> reader.refuse(bad)).isSameAs(bad.record().refusal());

        BridgeEvent unknown = read("{\"general\":{\"cbotEventType\":\"AGENT_DANCED\",\"convId\":\"c\"}}");
        assertThat(reader.properties(unknown)).containsEntry("cbotEventType", "AGENT_DANCED").containsEntry(BridgeEvent.PROPERTY, unknown);
        assertThatThrownBy(() -> reader.refuse(unknown)).isInstanceOf(UnknownEventTypeException.class)
                .hasMessageContaining("AGENT_DANCED");
    }

    @Test
    void surroundingSpacesOfTheTypeAreIgnoredButNotItsCase() {
        assertThat(read("{\"general\":{\"cbotEventType\":\" CONSUMER_STEP_UP \",\"convId\":\"c\"}}").record().eventType()).isEqualTo("CONSUMER_STEP_UP");
        assertThat(read("{\"general\":{\"cbotEventType\":\"consumer_step_up\",\"convId\":\"c\"}}").record().eventType()).isEqualTo("consumer_step_up");
    }

    @Test
    void surveyEventsTakeTheirConversationAndSkillFromTheKeyAndHeadersElseFromThePayload() {
        EventReader surveys = ShippedReaders.named("surveyEvents");
        String payload = "{\"conversationId\":\"conv-7\",\"surveyId\":\"s\",\"skillId\":\"55\",\"dialogs\":[]}";
        ConsumerRecord<byte[], byte[]> unkeyed = new ConsumerRecord<>("survey", 0, 1L, null, bytes(payload));
        unkeyed.headers().add(new RecordHeader("eventId", bytes("surveybot_messaging_survey_ended")));
        BridgeEvent event = surveys.read(unkeyed);
        assertThat(event.record().source()).isEqualTo("survey");
        assertThat(event.record().eventType()).isEqualTo("surveybot_messaging_survey_ended");
        assertThat(event.record().convId()).isEqualTo("conv-7");
        assertThat(event.record().skillId()).isEqualTo("55");
        assertThat(surveys.orderingKey(event)).isEqualTo("conv-7");
        assertThat(new String(event.record().payload(), StandardCharsets.UTF_8)).isEqualTo(payload);

        ConsumerRecord<byte[], byte[]> keyed = new ConsumerRecord<>("survey", 0, 2L, bytes("conv-key"), bytes(payload));
        keyed.headers().add(new RecordHeader("eventId", bytes("surveybot_messaging_survey_started")));
        keyed.headers().add(new RecordHeader("skillId", bytes("66")));
        BridgeEvent byKey = surveys.read(keyed);
        assertThat(byKey.record().convId()).isEqualTo("conv-key");
        assertThat(byKey.record().skillId()).isEqualTo("66");
    }

    @Test
    void aTranscriptWithoutAChatSessionIsRefused() {
        EventReader transcripts = ShippedReaders.named("transcriptEvents");
        ConsumerRecord<byte[], byte[]> keyed = new ConsumerRecord<>("t", 0, 1L, bytes("chat-1"), bytes("{\"csatRank\":3}"));
        keyed.headers().add(new RecordHeader("eventId", bytes("denver_post_survey_email_transcript")));
        BridgeEvent event = transcripts.read(keyed);
        assertThat(event.record().isReadable()).isTrue();
        assertThat(event.record().convId()).isEqualTo("chat-1");
        assertThat(event.record().source()).isEqualTo("transcript");
        ConsumerRecord<byte[], byte[]> unkeyed = new ConsumerRecord<>("t", 0, 2L, null, bytes("{\"csatRank\":3}"));
        unkeyed.headers().add(new RecordHeader("eventId", bytes("denver_post_survey_email_transcript")));
        assertThat(transcripts.read(unkeyed).outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.MISSING_CONVERSATION_ID);
    }

    @Test
    void chatEventsAreNamedByTheirEventIdHeaderAndOrderedByTheirChatSession() {
        EventReader chat = ShippedReaders.named("chatEvents");
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("chat", 0, 3L, null, bytes("{\"chatSessionKey\":\"s-1\"}"));
        record.headers().add(new RecordHeader("eventId", bytes("chat_start")));
        BridgeEvent event = chat.read(record);
        assertThat(event.record().source()).isEqualTo("chat");
        assertThat(event.record().eventType()).isEqualTo("chat_start");
        assertThat(event.record().convId()).isEqualTo("s-1");
        assertThat(chat.orderingKey(event)).isEqualTo("s-1");
        assertThat(chat.properties(event)).containsEntry("eventId", "chat_start");

        BridgeEvent unnamed = chat.read(new ConsumerRecord<>("chat", 0, 4L, null, bytes("{}")));
        assertThat(unnamed.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.MISSING_EVENT_TYPE);
        assertThatThrownBy(() -> chat.refuse(unnamed)).isInstanceOf(RejectedEventException.class);
    }

    @Test
    void propertiesNameTheEventAndItsType() {
        BridgeEvent event = read("{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"c\"}}");
        assertThat(reader.properties(event)).isEqualTo(Map.of(BridgeEvent.PROPERTY, event, "cbotEventType", "CONSUMER_STEP_UP"));
    }
}
