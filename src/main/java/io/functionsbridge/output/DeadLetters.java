package io.functionsbridge.output;

import io.functionsbridge.event.BridgeEvent;
import io.functionsbridge.event.RejectedEventException;

/** Records why an event ends in the dead letter topic (CONTRACT §7); the record is written by the routes. */
public final class DeadLetters {

    /** The event was refused on reading or routing: its reason is the exception's. */
    public void rejected(BridgeEvent event, RejectedEventException rejection) {
        event.deadLetter(rejection.reason(), rejection.getMessage());
    }

    /** The bridge failed on the event in a way no other reason covers. */
    public void bridgeError(BridgeEvent event, Exception failure) {
        event.deadLetter(DeadLetterReason.BRIDGE_ERROR, failure.getClass().getSimpleName() + " while handling "
                + event.describe() + (failure.getMessage() == null ? "" : ": " + failure.getMessage()));
    }
}
