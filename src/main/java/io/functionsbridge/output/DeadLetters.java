package io.functionsbridge.output;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.RejectedEventException;
import java.util.Map;
import java.util.Set;
import org.apache.camel.ExchangeException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;

/** Records why an event ends in the dead letter topic (docs/contract.md); the record is written by the routes. */
public final class DeadLetters {

    /** Whether the event ends in a dead letter (besides any commands). */
    public boolean isDue(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        return event.isDeadLettered();
    }

    /**
     * The dead letter's headers besides the {@code bridgeError*} ones the route sets: the original
     * record's headers, unchanged (a redrive publishes them again), and
     * {@code bridgeAutoMessageWritten} when the event's automatic message was written (a redriven
     * event does not write it again). The original's own {@code bridge*} diagnosis headers are
     * not kept: the route sets them anew.
     */
    public void originalHeaders(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @Headers Map<String, Object> headers) {
        event.getRecordHeaders().forEach((name, value) -> {
            if (!DIAGNOSIS.contains(name)) {
                headers.put(name, value);
            }
        });
        if (event.isAutoMessageWritten()) {
            headers.put(BridgeEvent.AUTO_MESSAGE_WRITTEN, "true");
        }
    }

    private static final Set<String> DIAGNOSIS = Set.of("bridgeErrorReason", "bridgeErrorMessage", "bridgeAttempts", "bridgeFunctionId",
            "bridgeSourceTopic", "bridgeSourcePartition", "bridgeSourceOffset");

    /** The event was refused on reading or routing: its reason is the exception's. */
    public void rejected(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException RejectedEventException rejection) {
        event.deadLetter(rejection.reason(), rejection.getMessage());
    }

    /** The bridge failed on the event in a way no other reason covers. */
    public void bridgeError(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        event.deadLetter(DeadLetterReason.BRIDGE_ERROR, failure.getClass().getSimpleName() + " while handling "
                + event.describe() + (failure.getMessage() == null ? "" : ": " + failure.getMessage()));
    }
}
