package io.functionsbridge.domain;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * What was read of one record, once, on the way in: where it came from, its key, value and
 * headers unchanged, and what the source's reader found in it (type, conversation, skill, where the
 * payload object is). Nothing changes it afterwards.
 *
 * @param source the source's name ({@code messaging}, {@code chat}, {@code survey}, {@code transcript}, {@code gateway})
 * @param typeProperty the exchange property the source's route routes on: {@code cbotEventType} or {@code eventId}
 * @param eventType the record's {@code cbotEventType}, or the {@code eventId} header
 * @param refusal why the record could not be read, or {@code null} when it was
 */
public record EventRecord(String source, String typeProperty, String topic, int partition, long offset, byte[] key, byte[] value,
        Map<String, byte[]> headers, String eventType, String convId, String skillId, int payloadStart, int payloadEnd,
        RejectedEventException refusal) {

    /** The exchange property of a Controller Bot messaging event's type. */
    public static final String CBOT_EVENT_TYPE = "cbotEventType";

    /** Whether the record was read into an event the routes can route. */
    public boolean isReadable() {
        return refusal == null;
    }

    /** Whether the record's type is a Controller Bot {@code cbotEventType} (messaging events). */
    public boolean isCbotEvent() {
        return CBOT_EVENT_TYPE.equals(typeProperty);
    }

    /** The record key as text, or {@code null}. */
    public String keyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** The payload object's JSON, as the record holds it (the whole value, or the envelope's payload). */
    public byte[] payload() {
        return Arrays.copyOfRange(value, payloadStart, payloadEnd);
    }

    /** The dead letter a redriven record republishes ({@code bridgeRedriveOf}), or {@code null}. */
    public String redriveOf() {
        byte[] of = headers.get("bridgeRedriveOf");
        return of == null ? null : new String(of, StandardCharsets.UTF_8);
    }

    /** Whether the record says its event's automatic message was written already (a redriven dead letter). */
    public boolean isAutoMessageWrittenBefore() {
        return headers.containsKey(BridgeEvent.AUTO_MESSAGE_WRITTEN);
    }

    /** A short text naming the record, for logs and error messages. */
    public String describe() {
        return topic + "/" + partition + "@" + offset;
    }
}
