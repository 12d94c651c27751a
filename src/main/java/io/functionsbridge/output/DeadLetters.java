package io.functionsbridge.output;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.RejectedEventException;
import org.apache.camel.ExchangeException;
import org.apache.camel.ExchangeProperty;

/** Records why an event ends in the dead letter topic (docs/contract.md); the record is written by the routes. */
public final class DeadLetters {

    /** Whether the event ends in a dead letter (besides any commands). */
    public boolean isDue(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        return event.isDeadLettered();
    }

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
