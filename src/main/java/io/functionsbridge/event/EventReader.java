package io.functionsbridge.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.EventRecord;
import io.functionsbridge.domain.RejectedEventException;
import io.functionsbridge.domain.UnknownEventTypeException;
import io.functionsbridge.ordering.RecordReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.camel.ExchangeProperty;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Reads each record once, on the way in, into a {@link BridgeEvent} (docs/contract.md): the
 * {@code reader} of the {@code ordered-kafka} consumers, one bean per source, whose settings say
 * where the source's records keep their type, conversation and skill. A record it cannot read
 * becomes an event refused with its dead-letter reason; reading never fails.
 *
 * <p>Records are read strictly, in one streaming pass: duplicate keys, anything after the JSON
 * value, or nesting deeper than 1000 are {@code MALFORMED_JSON}. Only the fields the bridge needs
 * are taken out (type, conversation, skill); the payload object is kept as the record holds it,
 * byte for byte, for the function's envelope.
 *
 * <p>A record is ordered by its key (the conversation id) or, without one, by the conversation its
 * value names.
 */
public final class EventReader implements RecordReader<BridgeEvent> {

    /** A cbotEventType or eventId longer than this is no event type (and is not echoed whole). */
    private static final int MAX_TYPE_LENGTH = 128;

    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** Where a conversation or a skill can be found: the record key, a record header, or one of these payload fields. */
    static final String KEY = "key";
    static final String HEADER = "header:";
    static final List<String> PAYLOAD_FIELDS = List.of("general.convId", "general.skillId", "routing.newSkillId", "chatSessionKey",
            "conversationId", "skillId");

    private String source = "messaging";
    private String typeHeader;
    private List<String> conversation = List.of("general.convId", KEY);
    private List<String> skill = List.of(HEADER + "skillId", "general.skillId", "routing.newSkillId");
    private boolean conversationRequired = true;

    /** The source's name, in messages and outcome lines: {@code messaging} (the default), {@code chat}... */
    public void setSource(String source) {
        this.source = source;
    }

    public String getSource() {
        return source;
    }

    /**
     * The record header that names the event ({@code eventId}); without one (the default), the
     * event is the payload's {@code general.cbotEventType}, a Controller Bot messaging event. The
     * routes route on the exchange property of that name.
     */
    public void setTypeHeader(String typeHeader) {
        this.typeHeader = typeHeader == null || typeHeader.isBlank() ? null : typeHeader.strip();
    }

    public String getTypeHeader() {
        return typeHeader;
    }

    /**
     * Where the conversation is, the first found winning: {@code key} (the record key), or a
     * payload field ({@code general.convId}, {@code chatSessionKey}, {@code conversationId}).
     * Default: {@code general.convId,key}.
     */
    public void setConversation(String places) {
        this.conversation = places(places, "conversation");
    }

    public String getConversation() {
        return String.join(",", conversation);
    }

    /**
     * Where the skill is, the first found winning: {@code header:<name>} (a record header) or a
     * payload field ({@code general.skillId}, {@code routing.newSkillId}, {@code skillId}).
     * Default: {@code header:skillId,general.skillId,routing.newSkillId}.
     */
    public void setSkill(String places) {
        this.skill = places(places, "skill");
    }

    public String getSkill() {
        return String.join(",", skill);
    }

    /** Whether a record whose conversation is found nowhere is refused ({@code MISSING_CONVERSATION_ID}); default true. */
    public void setConversationRequired(boolean conversationRequired) {
        this.conversationRequired = conversationRequired;
    }

    public boolean isConversationRequired() {
        return conversationRequired;
    }

    private static List<String> places(String list, String what) {
        List<String> places = new ArrayList<>();
        for (String raw : list == null ? new String[0] : list.split(",")) {
            String place = raw.strip();
            if (place.isEmpty()) {
                continue;
            }
            if (!place.equals(KEY) && !(place.startsWith(HEADER) && place.length() > HEADER.length()) && !PAYLOAD_FIELDS.contains(place)) {
                throw new IllegalArgumentException("the " + what + " of a record is not found in '" + place + "': say key, header:<name>, or one of "
                        + PAYLOAD_FIELDS);
            }
            places.add(place);
        }
        return List.copyOf(places);
    }

    /** The exchange property the routes route on: {@code cbotEventType}, else the type header's name. */
    public String typeProperty() {
        return typeHeader == null ? EventRecord.CBOT_EVENT_TYPE : typeHeader;
    }

    @Override
    public BridgeEvent read(ConsumerRecord<byte[], byte[]> record) {
        Header[] headers = record.headers().toArray();
        Map<String, byte[]> kept = Map.of();
        if (headers.length > 0) {
            kept = new LinkedHashMap<>(headers.length * 2);
            for (Header header : headers) {
                kept.put(header.key(), header.value());
            }
        }
        return read(record.topic(), record.partition(), record.offset(), record.key(), record.value(), kept);
    }

    /** Reads one record given by its parts, with the record headers {@code skillId} and {@code eventId} ({@code null} when absent). */
    public BridgeEvent read(String topic, int partition, long offset, byte[] key, byte[] value, String skillHeader, String eventIdHeader) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        if (skillHeader != null) {
            headers.put("skillId", skillHeader.getBytes(StandardCharsets.UTF_8));
        }
        if (eventIdHeader != null) {
            headers.put("eventId", eventIdHeader.getBytes(StandardCharsets.UTF_8));
        }
        return read(topic, partition, offset, key, value, headers);
    }

    /** Reads one record: its coordinates, key, value and headers. */
    public BridgeEvent read(String topic, int partition, long offset, byte[] key, byte[] value, Map<String, byte[]> headers) {
        Reading reading = new Reading(topic, partition, offset, key, value, headers);
        RejectedEventException refusal = null;
        try {
            if (typeHeader == null) {
                readCbotEvent(reading);
            } else {
                readByTypeHeader(reading);
            }
        } catch (RejectedEventException refused) {
            refusal = refused;
        } catch (RuntimeException bug) {
            refusal = new RejectedEventException(DeadLetterReason.BRIDGE_ERROR, bug.getClass().getSimpleName() + " while reading "
                    + topic + "/" + partition + "@" + offset);
        }
        return new BridgeEvent(new EventRecord(source, typeProperty(), topic, partition, offset, key, value, headers, reading.type,
                reading.convId, reading.skillId, reading.payloadStart, reading.payloadEnd, refusal));
    }

    /** What reading a record has found so far (a refused record keeps what was found before). */
    private static final class Reading {
        final String topic;
        final int partition;
        final long offset;
        final byte[] key;
        final byte[] value;
        final Map<String, byte[]> headers;
        String type;
        String convId;
        String skillId;
        int payloadStart;
        int payloadEnd;

        Reading(String topic, int partition, long offset, byte[] key, byte[] value, Map<String, byte[]> headers) {
            this.topic = topic;
            this.partition = partition;
            this.offset = offset;
            this.key = key;
            this.value = value;
            this.headers = headers;
        }

        String keyText() {
            return key == null ? null : new String(key, StandardCharsets.UTF_8);
        }

        String header(String name) {
            byte[] header = headers.get(name);
            return header == null ? null : new String(header, StandardCharsets.UTF_8);
        }
    }

    @Override
    public Object orderingKey(BridgeEvent event) {
        String key = event.record().keyText();
        if (key != null) {
            return key;
        }
        String convId = event.record().convId();
        return convId == null || convId.isEmpty() ? null : convId;
    }

    @Override
    public Map<String, Object> properties(BridgeEvent event) {
        Map<String, Object> properties = new HashMap<>(4);
        properties.put(BridgeEvent.PROPERTY, event);
        if (event.record().isReadable()) {
            properties.put(typeProperty(), event.record().eventType());
        }
        return properties;
    }

    /**
     * Refuses an event the routes did not route: with its reading problem if it had one, else as
     * an unknown type. The {@code otherwise} of the content-based routers.
     */
    public void refuse(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        EventRecord record = event.record();
        if (!record.isReadable()) {
            throw record.refusal();
        }
        throw new UnknownEventTypeException(typeHeader == null
                ? "cbotEventType '" + record.eventType() + "' is not in the event table"
                : source + " " + typeHeader + " '" + record.eventType() + "' is not an event the routes of this topic take");
    }

    private void readCbotEvent(Reading reading) {
        Payload payload = parse(reading.value);
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
        reading.type = eventType;
        found(reading, payload);
    }

    /**
     * Records whose header ({@code eventId}) names the event: chat, surveys, transcripts. The
     * type is checked before the value is parsed.
     */
    private void readByTypeHeader(Reading reading) {
        String eventId = reading.header(typeHeader);
        if (eventId == null || eventId.isBlank()) {
            throw refused(DeadLetterReason.MISSING_EVENT_TYPE, "the " + source + " record has no '" + typeHeader + "' header");
        }
        String type = eventId.strip();
        reading.convId = reading.keyText();
        if (type.length() > MAX_TYPE_LENGTH) {
            reading.type = type.substring(0, 40) + "...";
            throw refused(DeadLetterReason.UNKNOWN_EVENT_TYPE, "the " + typeHeader + " header is " + type.length() + " characters long, not an event");
        }
        reading.type = type;
        found(reading, parse(reading.value));
    }

    /** The payload's place, conversation and skill, as this source's settings say where they are. */
    private void found(Reading reading, Payload payload) {
        reading.payloadStart = payload.start;
        reading.payloadEnd = payload.end;
        reading.skillId = first(skill, reading, payload.fields);
        String convId = first(conversation, reading, payload.fields);
        if (convId == null || convId.isBlank()) {
            if (conversationRequired) {
                throw refused(DeadLetterReason.MISSING_CONVERSATION_ID, "the " + (typeHeader == null ? "event" : source + " record")
                        + " has neither " + conversation.stream().map(place -> place.equals(KEY) ? "a record key" : place)
                                .collect(Collectors.joining(" nor ")));
            }
            convId = "";
        }
        reading.convId = convId;
    }

    /** The first of these places that holds a text that is not blank, or {@code null}. */
    private static String first(List<String> places, Reading reading, Fields fields) {
        for (String place : places) {
            String text = place.equals(KEY) ? reading.keyText()
                    : place.startsWith(HEADER) ? reading.header(place.substring(HEADER.length()))
                    : fields.field(place);
            if (text != null && !text.isBlank()) {
                return text;
            }
        }
        return null;
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

        /** The text of one of {@link #PAYLOAD_FIELDS}, or {@code null}. */
        String field(String name) {
            return switch (name) {
                case "general.convId" -> convId;
                case "general.skillId" -> skillId;
                case "routing.newSkillId" -> routingSkillId;
                case "chatSessionKey" -> chatSessionKey;
                case "conversationId" -> conversationId;
                case "skillId" -> rootSkillId;
                default -> throw new IllegalArgumentException("not a payload field the reader takes: " + name);
            };
        }
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
}
