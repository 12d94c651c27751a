package io.functionsbridge.domain;


/** An event the bridge cannot handle: it goes to the dead letter topic with {@link #reason()}. */
public class RejectedEventException extends RuntimeException {

    private final DeadLetterReason reason;

    public RejectedEventException(DeadLetterReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
