package io.functionsbridge.invoke;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.SourceIds;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Body;
import org.apache.camel.ExchangeException;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.util.ObjectHelper;

/**
 * What the function call needs besides the HTTP endpoint (docs/contract.md): the envelope, a request id
 * that stays the same over retries, the timeout, the attempt count, and which failures are retried
 * (a token endpoint that cannot give a token counts as the function's failure: retried when it could
 * not be reached or failed, not when it refused the client credentials).
 * The call itself and its redelivery policy are in {@code routes/function-invocation.camel.yaml}.
 */
public final class FunctionInvoker {

    private static final byte[] ENVELOPE_START = "{\"timestamp\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE_PAYLOAD = ",\"headers\":[],\"payload\":".getBytes(StandardCharsets.US_ASCII);

    private int defaultTimeoutMs = 5000;
    private int maxReplyBytes = 1_048_576;

    /** The per-attempt timeout of a function that sets none (bridge.invoke.timeout-ms). */
    public void setDefaultTimeoutMs(int defaultTimeoutMs) {
        this.defaultTimeoutMs = defaultTimeoutMs;
    }

    /** A larger reply is refused as {@code INVALID_REPLY} (bridge.invoke.max-reply-bytes). */
    public void setMaxReplyBytes(int maxReplyBytes) {
        this.maxReplyBytes = maxReplyBytes;
    }

    /**
     * Counts an attempt and gives the body to send. The first attempt fixes what every attempt
     * shares: the envelope (its timestamp is the first attempt's), the request id and the timeout.
     */
    public byte[] attempt(BridgeEvent event) {
        if (event.getEnvelope() == null) {
            FunctionDefinition function = event.getFunction();
            int timeout = function.timeoutMs() != null ? function.timeoutMs() : defaultTimeoutMs;
            long now = System.currentTimeMillis();
            event.prepareInvocation(requestId(event), timeout, envelope(event, now), now);
        }
        if (event.isPastDeadline()) {
            throw new DeadlineException();
        }
        event.countAttempt();
        return event.getEnvelope();
    }

    /** A gateway request's deadline passed before an attempt could start. */
    static final class DeadlineException extends RuntimeException {
        DeadlineException() {
            super("the request's deadline passed", null, false, false);
        }
    }

    /** The attempt's timeout: the function's, cut to what is left of a gateway request's deadline. */
    public static int attemptTimeoutMs(BridgeEvent event) {
        return (int) Math.max(1, Math.min(event.getTimeoutMs(), event.remainingMillis()));
    }

    /** {@code {"timestamp": <ms>, "headers": [], "payload": <the payload object, as the record holds it>}}. */
    static byte[] envelope(BridgeEvent event, long timestamp) {
        byte[] time = Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII);
        int payloadLength = event.getPayloadEnd() - event.getPayloadStart();
        byte[] envelope = new byte[ENVELOPE_START.length + time.length + ENVELOPE_PAYLOAD.length + payloadLength + 1];
        int at = 0;
        System.arraycopy(ENVELOPE_START, 0, envelope, at, ENVELOPE_START.length);
        at += ENVELOPE_START.length;
        System.arraycopy(time, 0, envelope, at, time.length);
        at += time.length;
        System.arraycopy(ENVELOPE_PAYLOAD, 0, envelope, at, ENVELOPE_PAYLOAD.length);
        at += ENVELOPE_PAYLOAD.length;
        System.arraycopy(event.getValue(), event.getPayloadStart(), envelope, at, payloadLength);
        envelope[envelope.length - 1] = '}';
        return envelope;
    }

    /**
     * Keeps the body of a 2xx reply (the message body after the call), to be normalised; a reply
     * over the cap is an {@code INVALID_REPLY} and counts as no message set. A call that failed has
     * already marked the event ({@link #failed}, {@link #rejected}) and has no reply to keep.
     */
    public void completed(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @Body Object body) {
        if (event.isDeadLettered()) {
            return;
        }
        event.invocationEnded();
        byte[] reply = (byte[]) body;
        if (reply != null && reply.length > maxReplyBytes) {
            event.deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.getFunction().id() + ": the reply of "
                    + reply.length + " bytes exceeds the cap of " + maxReplyBytes + " bytes (bridge.invoke.max-reply-bytes)");
            return;
        }
        event.setReply(reply);
    }

    /**
     * Whether a failed attempt gets another: connection failures, timeouts, HTTP 5xx, 408, 429
     * and 901 do, unless the event takes no retry (the transcript event) or its gateway request's
     * deadline has passed. Other HTTP statuses (other 4xx, 3xx) do not.
     */
    public boolean isRetryable(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        return event.isRetried() && !event.isPastDeadline() && isRetryableKind(failure);
    }

    /** Whether a failure is of a kind worth another attempt (whether or not the event allows one). */
    public static boolean isRetryableKind(Exception failure) {
        if (ObjectHelper.getException(DeadlineException.class, failure) != null) {
            return false;
        }
        if (ObjectHelper.getException(ReplyTooLargeException.class, failure) != null) {
            return false;
        }
        TokenEndpointException noToken = ObjectHelper.getException(TokenEndpointException.class, failure);
        if (noToken != null) {
            return noToken.isRetryable();
        }
        Integer status = httpStatus(failure);
        if (status == null) {
            return true;
        }
        return status >= 500 || status == 408 || status == 429 || status == 901;
    }

    /** The retries are exhausted: {@code FUNCTION_FAILED}. */
    public void failed(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        event.invocationEnded();
        int attempts = event.getAttempts();
        event.deadLetter(DeadLetterReason.FUNCTION_FAILED, describe(event, failure)
                + (attempts == 0 ? "" : " (after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ")"));
    }

    /**
     * A failure not retried: the function refused the call, {@code FUNCTION_REJECTED}; or it
     * answered more than the cap, {@code INVALID_REPLY}, which counts as no message set; or it
     * failed where no retry is allowed (the transcript event, a gateway request past its deadline),
     * {@code FUNCTION_FAILED}.
     */
    public void rejected(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        if (isRetryableKind(failure) || ObjectHelper.getException(DeadlineException.class, failure) != null) {
            failed(event, failure);
            return;
        }
        event.invocationEnded();
        ReplyTooLargeException tooLarge = ObjectHelper.getException(ReplyTooLargeException.class, failure);
        if (tooLarge != null) {
            event.deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.getFunction().id() + ": " + tooLarge.getMessage());
            return;
        }
        event.deadLetter(DeadLetterReason.FUNCTION_REJECTED, describe(event, failure));
    }

    private String describe(BridgeEvent event, Exception failure) {
        String function = "function " + event.getFunction().id();
        TokenEndpointException noToken = ObjectHelper.getException(TokenEndpointException.class, failure);
        if (noToken != null) {
            return function + " not called: " + noToken.getMessage();
        }
        if (ObjectHelper.getException(DeadlineException.class, failure) != null) {
            return function + " not called again: the request's deadline passed";
        }
        Integer status = httpStatus(failure);
        if (status != null) {
            return function + " answered HTTP " + status;
        }
        Throwable cause = rootCause(failure);
        if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
            return function + " timed out after " + event.getTimeoutMs() + " ms";
        }
        // The class name says enough (connection refused, reset...); messages can carry the url.
        return function + " call failed: " + cause.getClass().getSimpleName();
    }

    private static Integer httpStatus(Throwable failure) {
        FunctionCallException answered = ObjectHelper.getException(FunctionCallException.class, failure);
        return answered == null ? null : answered.status();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    /** The same for every attempt, and for the same record handled again after a restart. */
    static String requestId(BridgeEvent event) {
        if (event.getGivenRequestId() != null) {
            return event.getGivenRequestId();
        }
        return SourceIds.of(event.getSourceTopic(), event.getSourcePartition(), event.getSourceOffset(), event.getFunction().id());
    }
}
