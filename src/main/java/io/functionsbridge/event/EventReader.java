package io.functionsbridge.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.RejectedEventException;
import io.functionsbridge.domain.UnknownEventTypeException;
import io.functionsbridge.ordering.RecordReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.ExchangeProperty;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads each record once, on the way in, into a {@link BridgeEvent} (docs/contract.md): the
 * {@code reader} of the {@code ordered-kafka} consumers. A record it cannot read becomes an event
 * refused with its dead-letter reason; reading never fails.
 *
 * <p>Records are read strictly, in one streaming pass: duplicate keys, anything after the JSON
 * value, or nesting deeper than 1000 are {@code MALFORMED_JSON}. Only the fields the bridge needs
 * are taken out (type, conversation, skill); the payload object is kept as the record holds it,
 * byte for byte, for the function's envelope.
 *
 * <p>A record is ordered by its key (the conversation id) or, without one, by the conversation its
 * value names ({@code general.convId}; for chat, {@code chatSessionKey}).
 */
public final class EventReader implements RecordReader<BridgeEvent> {

    /** A cbotEventType or eventId longer than this is no event type (and is not echoed whole). */
    private static final int MAX_TYPE_LENGTH = 128;

    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private BridgeEvent.Channel channel = BridgeEvent.Channel.MESSAGING;

    /** Which input this reader reads: {@code MESSAGING} (the default), {@code CHAT}, {@code SURVEY} or {@code TRANSCRIPT}. */
    public void setChannel(BridgeEvent.Channel channel) {
        this.channel = channel;
    }

    public BridgeEvent.Channel getChannel() {
        return channel;
    }

    /** The exchange property the routes route on: {@code cbotEventType} (messaging) or {@code eventId} (the other inputs). */
    public String typeProperty() {
        return channel == BridgeEvent.Channel.MESSAGING ? "cbotEventType" : "eventId";
    }

    @Override
    public BridgeEvent read(ConsumerRecord<byte[], byte[]> record) {
        BridgeEvent event = read(record.topic(), record.partition(), record.offset(), record.key(), record.value(),
                header(record, "skillId"), header(record, "eventId"));
        Header[] headers = record.headers().toArray();
        if (headers.length > 0) {
            Map<String, byte[]> kept = new LinkedHashMap<>(headers.length * 2);
            for (Header header : headers) {
                kept.put(header.key(), header.value());
            }
            event.setRecordHeaders(kept);
        }
        return event;
    }

    /**
     * Reads one record: its coordinates, key and value, and the record headers {@code skillId} and
     * (chat) {@code eventId}, {@code null} when absent.
     */
    public BridgeEvent read(String topic, int partition, long offset, byte[] key, byte[] value, String skillHeader, String eventIdHeader) {
        BridgeEvent event = new BridgeEvent(channel, topic, partition, offset, key, value);
        try {
            if (channel == BridgeEvent.Channel.MESSAGING) {
                readMessaging(event, skillHeader);
            } else {
                readByEventIdHeader(event, skillHeader, eventIdHeader);
            }
        } catch (RejectedEventException refusal) {
            event.refuse(refusal);
        } catch (RuntimeException bug) {
            event.refuse(new RejectedEventException(DeadLetterReason.BRIDGE_ERROR, bug.getClass().getSimpleName()
                    + " while reading " + event.describe()));
        }
        return event;
    }

    @Override
    public Object orderingKey(BridgeEvent event) {
        String key = event.getKeyText();
        if (key != null) {
            return key;
        }
        String convId = event.getConvId();
        return convId == null || convId.isEmpty() ? null : convId;
    }

    @Override
    public Map<String, Object> properties(BridgeEvent event) {
        Map<String, Object> properties = new HashMap<>(4);
        properties.put(BridgeEvent.PROPERTY, event);
        if (event.isReadable()) {
            properties.put(typeProperty(), event.getEventType());
        }
        return properties;
    }

    /**
     * Refuses an event the routes did not route: with its reading problem if it had one, else as
     * an unknown type. The {@code otherwise} of the content-based routers.
     */
    public void refuse(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        if (!event.isReadable()) {
            throw event.getRefusal();
        }
        throw new UnknownEventTypeException(channel == BridgeEvent.Channel.MESSAGING
                ? "cbotEventType '" + event.getEventType() + "' is not in the event table"
                : channel.name().toLowerCase() + " eventId '" + event.getEventType() + "' is not an event the routes of this topic take");
    }

    private void readMessaging(BridgeEvent event, String skillHeader) {
        Payload payload = parse(event.getValue());
        Fields general = payload.fields;
        if (general.general == null || general.general == JsonToken.VALUE_NULL) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "the event has no 'general' block, so no general.cbotEventType");
        }
        if (general.general != JsonToken.START_OBJECT) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "'general' is " + kind(general.general) + ", not an object");
        }
        if (general.type == null || general.type == JsonToken.VALUE_NULL) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "general.cbotEventType is missing");
        }
        if (general.type != JsonToken.VALUE_STRING) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "general.cbotEventType is " + kind(general.type) + ", not a string");
        }
        String eventType = general.typeText.strip();
        if (eventType.isEmpty()) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "general.cbotEventType is empty");
        }
        if (eventType.length() > MAX_TYPE_LENGTH) {
            throw refused(DeadLetterReason.UNKNOWN_EVENT_TYPE, "general.cbotEventType is " + eventType.length()
                    + " characters long, not an event type: " + DeadLetterReason.shorten(eventType.substring(0, 40)));
        }
        String convId = general.convId;
        if (convId == null || convId.isBlank()) {
            convId = event.getKeyText();
        }
        String skill = skillHeader != null ? skillHeader : general.skillId != null ? general.skillId : general.routingSkillId;
        event.read(eventType, convId, skill, payload.start, payload.end);
        if (convId == null || convId.isBlank()) {
            throw refused(DeadLetterReason.MISSING_CONVERSATION_ID, "the event has neither general.convId nor a record key");
        }
    }

    /**
     * Chat, survey and transcript records: the record header {@code eventId} names the event; the
     * conversation is the record key, else the payload's {@code chatSessionKey} (chat, transcript)
     * or {@code conversationId} (survey); a survey's skill is the {@code skillId} header, else the
     * payload's. A transcript names a conversation or is refused, as its commands go to one.
     */
    private void readByEventIdHeader(BridgeEvent event, String skillHeader, String eventId) {
        String input = channel.name().toLowerCase();
        if (eventId == null || eventId.isBlank()) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "the " + input + " record has no 'eventId' header");
        }
        String type = eventId.strip();
        if (type.length() > MAX_TYPE_LENGTH) {
            event.read(type.substring(0, 40) + "...", event.getKeyText(), skillHeader, 0, 0);
            throw refused(DeadLetterReason.UNKNOWN_EVENT_TYPE, "the eventId header is " + type.length() + " characters long, not an event");
        }
        event.read(type, event.getKeyText(), skillHeader, 0, 0);
        Payload payload = parse(event.getValue());
        String convId = event.getKeyText();
        if (convId == null || convId.isBlank()) {
            convId = channel == BridgeEvent.Channel.SURVEY ? payload.fields.conversationId : payload.fields.chatSessionKey;
        }
        String skill = skillHeader == null && channel == BridgeEvent.Channel.SURVEY ? payload.fields.rootSkillId : skillHeader;
        event.read(type, convId == null ? "" : convId, skill, payload.start, payload.end);
        if (channel == BridgeEvent.Channel.TRANSCRIPT && (convId == null || convId.isBlank())) {
            throw refused(DeadLetterReason.MISSING_CONVERSATION_ID, "the transcript record has neither a key nor chatSessionKey");
        }
    }

    /** The payload object: where it is in the value, and the fields taken out of it. */
    private record Payload(int start, int end, Fields fields) {
    }

    /** What one object level says: its general block, routing skill and chat session. */
    private static final class Fields {
        int start;
        int end;
        JsonToken general;
        JsonToken type;
        String typeText;
        String convId;
        String skillId;
        String routingSkillId;
        String chatSessionKey;
        String conversationId;
        String rootSkillId;
        // at the root only: the envelope's payload
        JsonToken payload;
        Fields payloadFields;
    }

    /** Parses the value strictly: a payload object, or an envelope whose payload is one. */
    private static Payload parse(byte[] value) {
        if (value == null || value.length == 0) {
            throw refused(DeadLetterReason.MALFORMED_JSON, "the record has no value");
        }
        Fields root;
        try (JsonParser parser = JSON.createParser(value)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first != null) {
                    parser.skipChildren();
                }
                throw refused(DeadLetterReason.MALFORMED_JSON, "the record value is " + kind(first) + ", not a JSON object");
            }
            root = readObject(parser, true);
            if (parser.nextToken() != null) {
                throw refused(DeadLetterReason.MALFORMED_JSON, "the record value is not JSON: more follows the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw refused(DeadLetterReason.MALFORMED_JSON, "the record value is not JSON: " + DeadLetterReason.shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            throw refused(DeadLetterReason.MALFORMED_JSON, "the record value could not be read: " + DeadLetterReason.shorten(e.getMessage()));
        }
        if (root.payload != null && root.general == null) {
            if (root.payload != JsonToken.START_OBJECT) {
                throw refused(DeadLetterReason.MALFORMED_JSON, "the envelope's payload is " + kind(root.payload) + ", not an object");
            }
            return new Payload(root.payloadFields.start, root.payloadFields.end, root.payloadFields);
        }
        return new Payload(root.start, root.end, root);
    }

    /** Reads an object whose START_OBJECT is the current token, up to its END_OBJECT. */
    private static Fields readObject(JsonParser parser, boolean root) throws IOException {
        Fields fields = new Fields();
        fields.start = (int) parser.currentTokenLocation().getByteOffset();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (name) {
                case "general" -> {
                    fields.general = token;
                    if (token == JsonToken.START_OBJECT) {
                        readGeneral(parser, fields);
                    } else {
                        parser.skipChildren();
                    }
                }
                case "routing" -> {
                    if (token == JsonToken.START_OBJECT) {
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String field = parser.currentName();
                            JsonToken inner = parser.nextToken();
                            String text = scalar(parser, inner);
                            if ("newSkillId".equals(field)) {
                                fields.routingSkillId = text;
                            }
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
                case "chatSessionKey" -> fields.chatSessionKey = scalar(parser, token);
                case "conversationId" -> fields.conversationId = scalar(parser, token);
                case "skillId" -> fields.rootSkillId = scalar(parser, token);
                case "payload" -> {
                    if (root) {
                        fields.payload = token;
                        if (token == JsonToken.START_OBJECT) {
                            fields.payloadFields = readObject(parser, false);
                        } else {
                            parser.skipChildren();
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        fields.end = (int) parser.currentLocation().getByteOffset();
        return fields;
    }

    private static void readGeneral(JsonParser parser, Fields fields) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken token = parser.nextToken();
            switch (field) {
                case "cbotEventType" -> {
                    fields.type = token;
                    fields.typeText = token == JsonToken.VALUE_STRING ? parser.getText() : null;
                    parser.skipChildren();
                }
                case "convId" -> fields.convId = scalar(parser, token);
                case "skillId" -> fields.skillId = scalar(parser, token);
                default -> parser.skipChildren();
            }
        }
    }

    /** A string, number or boolean as text; {@code null} for null, objects and arrays (which are skipped). */
    private static String scalar(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
            parser.skipChildren();
            return null;
        }
        return token == JsonToken.VALUE_NULL ? null : parser.getText();
    }

    private static String kind(JsonToken token) {
        if (token == null) {
            return "empty";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name().toLowerCase();
        };
    }

    private static RejectedEventException refused(DeadLetterReason reason, String message) {
        return new RejectedEventException(reason, message);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
