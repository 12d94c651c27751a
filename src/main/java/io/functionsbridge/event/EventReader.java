package io.functionsbridge.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.output.DeadLetterReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Reads records into {@link BridgeEvent}s (CONTRACT §4). {@link #receive} never fails, so that even an
 * unreadable record is known well enough to be dead-lettered; the {@code read...} methods throw
 * {@link RejectedEventException} with the dead-letter reason.
 */
public final class EventReader {

    /** camel-kafka's message headers for the record's coordinates. */
    static final String TOPIC = "kafka.TOPIC";
    static final String PARTITION = "kafka.PARTITION";
    static final String OFFSET = "kafka.OFFSET";
    static final String KEY = "kafka.KEY";

    private static final int MAX_REASON_LENGTH = 300;

    /** A cbotEventType or eventId longer than this is no event type (and is not echoed whole). */
    private static final int MAX_TYPE_LENGTH = 128;

    /**
     * Strict reading: a record with duplicate keys or anything after its JSON value is not taken
     * for the event it might also be read as.
     */
    private final ObjectMapper mapper = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Captures a record of the messaging events topic as it came, before anything is parsed. */
    public BridgeEvent receive(Object body, Map<String, Object> headers) {
        return receive(BridgeEvent.Channel.MESSAGING, body, headers);
    }

    /** Captures a record of the chat events topic as it came, before anything is parsed. */
    public BridgeEvent receiveChat(Object body, Map<String, Object> headers) {
        BridgeEvent event = receive(BridgeEvent.Channel.CHAT, body, headers);
        event.setEventType(headerText(headers, "eventId"));
        return event;
    }

    private BridgeEvent receive(BridgeEvent.Channel channel, Object body, Map<String, Object> headers) {
        Object partition = headers.get(PARTITION);
        Object offset = headers.get(OFFSET);
        BridgeEvent event = new BridgeEvent(
                channel,
                String.valueOf(headers.get(TOPIC)),
                partition instanceof Number n ? n.intValue() : -1,
                offset instanceof Number n ? n.longValue() : -1L,
                bytes(headers.get(KEY)),
                bytes(body));
        event.setSkillId(headerText(headers, "skillId"));
        return event;
    }

    /** Parses a messaging event: payload or envelope, with its type, conversation and skill. */
    public void readConversationEvent(BridgeEvent event) {
        ObjectNode payload = parsePayload(event);
        JsonNode general = payload.get("general");
        if (general == null || general.isNull()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_EVENT_TYPE, "the event has no 'general' block, so no general.cbotEventType");
        }
        if (!general.isObject()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_EVENT_TYPE, "'general' is " + kind(general) + ", not an object");
        }
        JsonNode type = general.get("cbotEventType");
        if (type == null || type.isNull()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_EVENT_TYPE, "general.cbotEventType is missing");
        }
        if (!type.isTextual()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_EVENT_TYPE, "general.cbotEventType is " + kind(type) + ", not a string");
        }
        String eventType = type.asText().strip();
        if (eventType.isEmpty()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_EVENT_TYPE, "general.cbotEventType is empty");
        }
        if (eventType.length() > MAX_TYPE_LENGTH) {
            throw new RejectedEventException(DeadLetterReason.UNKNOWN_EVENT_TYPE, "general.cbotEventType is "
                    + eventType.length() + " characters long, not an event type: " + shorten(eventType.substring(0, 40)));
        }
        event.setEventType(eventType);
        String convId = scalar(general.get("convId"));
        if (convId == null || convId.isBlank()) {
            convId = keyText(event);
        }
        if (convId == null || convId.isBlank()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_CONVERSATION_ID, "the event has neither general.convId nor a record key");
        }
        event.setConvId(convId);
        if (event.getSkillId() == null) {
            String skill = scalar(general.get("skillId"));
            if (skill == null && payload.get("routing") instanceof ObjectNode routing) {
                skill = scalar(routing.get("newSkillId"));
            }
            event.setSkillId(skill);
        }
        event.setPayload(payload);
    }

    /** Parses a chat event: the chat event id comes from the record header {@code eventId}. */
    public void readChatEvent(BridgeEvent event) {
        if (event.getEventType() == null || event.getEventType().isBlank()) {
            throw new RejectedEventException(DeadLetterReason.MISSING_EVENT_TYPE, "the chat record has no 'eventId' header");
        }
        event.setEventType(event.getEventType().strip());
        if (event.getEventType().length() > MAX_TYPE_LENGTH) {
            String type = event.getEventType();
            event.setEventType(type.substring(0, 40) + "...");
            throw new RejectedEventException(DeadLetterReason.UNKNOWN_EVENT_TYPE, "the eventId header is " + type.length()
                    + " characters long, not a chat event");
        }
        ObjectNode payload = parsePayload(event);
        String convId = keyText(event);
        if (convId == null || convId.isBlank()) {
            convId = scalar(payload.get("chatSessionKey"));
        }
        event.setConvId(convId == null ? "" : convId);
        event.setPayload(payload);
    }

    private ObjectNode parsePayload(BridgeEvent event) {
        byte[] value = event.getValue();
        if (value == null || value.length == 0) {
            throw new RejectedEventException(DeadLetterReason.MALFORMED_JSON, "the record has no value");
        }
        JsonNode root;
        try {
            root = mapper.readTree(value);
        } catch (JsonProcessingException e) {
            throw new RejectedEventException(DeadLetterReason.MALFORMED_JSON, "the record value is not JSON: " + shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new RejectedEventException(DeadLetterReason.MALFORMED_JSON, "the record value could not be read: " + shorten(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new RejectedEventException(DeadLetterReason.MALFORMED_JSON, "the record value is " + kind(root) + ", not a JSON object");
        }
        if (root.has("payload") && !root.has("general")) {
            JsonNode payload = root.get("payload");
            if (!payload.isObject()) {
                throw new RejectedEventException(DeadLetterReason.MALFORMED_JSON, "the envelope's payload is " + kind(payload) + ", not an object");
            }
            return (ObjectNode) payload;
        }
        return (ObjectNode) root;
    }

    private static String keyText(BridgeEvent event) {
        return event.getKey() == null ? null : new String(event.getKey(), StandardCharsets.UTF_8);
    }

    private static String scalar(JsonNode node) {
        return node == null || node.isNull() || node.isContainerNode() ? null : node.asText();
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "empty";
        }
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase();
        };
    }

    private static String headerText(Map<String, Object> headers, String name) {
        Object value = headers.get(name);
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value == null ? null : value.toString();
    }

    private static byte[] bytes(Object value) {
        if (value == null || value instanceof byte[]) {
            return (byte[]) value;
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String shorten(String message) {
        if (message == null) {
            return "";
        }
        String line = message.replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_REASON_LENGTH ? line : line.substring(0, MAX_REASON_LENGTH) + "...";
    }
}
