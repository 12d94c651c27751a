package io.functionsbridge.output;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterHeaders;
import io.functionsbridge.domain.Delivery;
import io.functionsbridge.domain.TraceContext;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.EventRecord;
import io.functionsbridge.domain.Outcome;
import io.functionsbridge.domain.RejectedEventException;
import java.util.Map;
import org.apache.camel.ExchangeException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.apache.camel.component.kafka.KafkaConstants;

/** Records why an event ends in the dead letter topic (docs/contract.md), and builds its record; the routes write it. */
public final class DeadLetters {

    /** Whether the event ends in a dead letter (besides any commands). */
    public boolean isDue(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        return event.outcome().isDeadLettered();
    }

    /**
     * The record of an event whose partition is still owned carries its delivery's tag, if it has one
     * (the producer takes it off, and writes the record in the event's transaction, exactly-once);
     * once the partition is revoked the event writes nothing: PartitionRevokedException.
     */
    static void tag(Delivery delivery, Map<String, Object> headers, String what) {
        if (delivery == null) {
            return;
        }
        delivery.requireOwned(what);
        if (delivery.tag() != null) {
            headers.put(Delivery.HEADER, delivery.tag());
        }
    }

    /**
     * The dead letter record of the event: the original record's key and value as the body, its
     * headers unchanged (a redrive publishes them again; its own diagnosis headers are set anew),
     * but its {@code traceparent} and {@code tracestate}, which are the event's (the caller's trace,
     * the bridge's span), the {@link DeadLetterHeaders diagnosis headers}, and {@code bridgeAutoMessageWritten} when the
     * event's automatic message was written (a redriven event does not write it again). The route
     * has removed every other header.
     */
    public byte[] toRecord(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeProperty(Delivery.PROPERTY) Delivery delivery,
            @Headers Map<String, Object> headers) {
        tag(delivery, headers, "a dead letter");
        EventRecord record = event.record();
        record.headers().forEach((name, value) -> {
            if (!DeadLetterHeaders.DIAGNOSIS.contains(name)) {
                headers.put(name, value);
            }
        });
        headers.remove(TraceContext.TRACESTATE);
        event.trace().putInto(headers);
        if (event.isAutoMessageWritten()) {
            headers.put(BridgeEvent.AUTO_MESSAGE_WRITTEN, "true");
        }
        Outcome outcome = event.outcome();
        headers.put(KafkaConstants.KEY, record.key());
        headers.put(DeadLetterHeaders.REASON, outcome.getDeadLetterReason().name());
        headers.put(DeadLetterHeaders.MESSAGE, outcome.getDeadLetterMessage());
        headers.put(DeadLetterHeaders.ATTEMPTS, Integer.toString(event.invocation().getAttempts()));
        if (event.invocation().hasFunction()) {
            headers.put(DeadLetterHeaders.FUNCTION_ID, event.invocation().getFunctionId());
        }
        headers.put(DeadLetterHeaders.SOURCE_TOPIC, record.topic());
        headers.put(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()));
        headers.put(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()));
        return record.value();
    }

    /** The event was refused on reading or routing: its reason is the exception's. */
    public void rejected(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException RejectedEventException rejection) {
        event.outcome().deadLetter(rejection.reason(), rejection.getMessage());
    }

    /** The bridge failed on the event in a way no other reason covers. */
    public void bridgeError(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        event.outcome().deadLetter(DeadLetterReason.BRIDGE_ERROR, failure.getClass().getSimpleName() + " while handling "
                + event.describe() + (failure.getMessage() == null ? "" : ": " + failure.getMessage()));
    }
}
