package io.functionsbridge.domain;

/** A function's reply grew past bridge.invoke.max-reply-bytes: reading it stopped there. */
public class ReplyTooLargeException extends RuntimeException {

    public ReplyTooLargeException(int capBytes) {
        super("the reply exceeds the cap of " + capBytes + " bytes (bridge.invoke.max-reply-bytes)", null, false, false);
    }
}
