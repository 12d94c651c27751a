package io.functionsbridge.domain;


/** Thrown by the routes' content router when no branch takes the event type. */
public class UnknownEventTypeException extends RejectedEventException {

    public UnknownEventTypeException(String message) {
        super(DeadLetterReason.UNKNOWN_EVENT_TYPE, message);
    }
}
