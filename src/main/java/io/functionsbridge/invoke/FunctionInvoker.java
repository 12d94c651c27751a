package io.functionsbridge.invoke;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.ReplyTooLargeException;
import io.functionsbridge.domain.SourceIds;
import io.functionsbridge.javascript.LambdaFailureException;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
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
    private RetryableStatuses retryableStatuses = RetryableStatuses.parse("5xx,408,429,901");

    /** The per-attempt timeout of a function that sets none (bridge.invoke.timeout-ms). */
    public void setDefaultTimeoutMs(int defaultTimeoutMs) {
        this.defaultTimeoutMs = defaultTimeoutMs;
    }

    /** A larger reply is refused as {@code INVALID_REPLY} (bridge.invoke.max-reply-bytes). */
    public void setMaxReplyBytes(int maxReplyBytes) {
        this.maxReplyBytes = maxReplyBytes;
    }

    /**
     * The HTTP statuses whose failed attempt gets another (bridge.invoke.retryable-statuses): codes
     * ({@code 429}) and classes ({@code 5xx}), separated by commas.
     */
    public void setRetryableStatuses(String retryableStatuses) {
        this.retryableStatuses = RetryableStatuses.parse(retryableStatuses);
    }

    public String getRetryableStatuses() {
        return retryableStatuses.toString();
    }

    /**
     * Counts an attempt and gives the body to send. The first attempt fixes what every attempt
     * shares: the envelope (its timestamp is the first attempt's; a gateway request's is the
     * caller's, as sent), the request id and the timeout.
     */
    public byte[] attempt(BridgeEvent event) {
        if (event.invocation().getEnvelope() == null) {
            FunctionDefinition function = event.invocation().getFunction();
            int timeout = function.timeoutMs() != null ? function.timeoutMs() : defaultTimeoutMs;
            long now = System.currentTimeMillis();
            byte[] given = event.invocation().getGivenEnvelope();
            event.invocation().prepare(requestId(event), timeout, given != null ? given : envelope(event, now), now);
        }
        if (event.invocation().isPastDeadline()) {
            throw new DeadlineException();
        }
        event.invocation().countAttempt();
        return event.invocation().getEnvelope();
    }

    /** A gateway request's deadline passed before an attempt could start. */
    static final class DeadlineException extends RuntimeException {
        DeadlineException() {
            super("the request's deadline passed", null, false, false);
        }
    }

    /** The attempt's timeout: the function's, cut to what is left of a gateway request's deadline. */
    public static int attemptTimeoutMs(BridgeEvent event) {
        return (int) Math.max(1, Math.min(event.invocation().getTimeoutMs(), event.invocation().remainingMillis()));
    }

    /** {@code {"timestamp": <ms>, "headers": [], "payload": <the payload object, as the record holds it>}}. */
    static byte[] envelope(BridgeEvent event, long timestamp) {
        byte[] time = Long.toString(timestamp).getBytes(StandardCharsets.US_ASCII);
        int payloadLength = event.record().payloadEnd() - event.record().payloadStart();
        byte[] envelope = new byte[ENVELOPE_START.length + time.length + ENVELOPE_PAYLOAD.length + payloadLength + 1];
        int at = 0;
        System.arraycopy(ENVELOPE_START, 0, envelope, at, ENVELOPE_START.length);
        at += ENVELOPE_START.length;
        System.arraycopy(time, 0, envelope, at, time.length);
        at += time.length;
        System.arraycopy(ENVELOPE_PAYLOAD, 0, envelope, at, ENVELOPE_PAYLOAD.length);
        at += ENVELOPE_PAYLOAD.length;
        System.arraycopy(event.record().value(), event.record().payloadStart(), envelope, at, payloadLength);
        envelope[envelope.length - 1] = '}';
        return envelope;
    }

    /**
     * Keeps the body of a 2xx reply (the message body after the call), to be normalised; a reply
     * over the cap is an {@code INVALID_REPLY} and counts as no message set. A call that failed has
     * already marked the event ({@link #failed}, {@link #rejected}) and has no reply to keep.
     */
    public void completed(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @Body Object body) {
        if (event.outcome().isDeadLettered()) {
            return;
        }
        event.invocation().ended();
        byte[] reply = (byte[]) body;
        if (reply != null && reply.length > maxReplyBytes) {
            event.outcome().deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.invocation().getFunction().id() + ": the reply of "
                    + reply.length + " bytes exceeds the cap of " + maxReplyBytes + " bytes (bridge.invoke.max-reply-bytes)");
            return;
        }
        event.invocation().setReply(reply);
    }

    /**
     * Whether a failed attempt gets another: a transport failure (the connection could not be made
     * or was lost, the attempt timed out) or a retryable HTTP status
     * ({@code bridge.invoke.retryable-statuses}), unless the event takes no retry (the transcript
     * event) or its gateway request's deadline has passed.
     */
    public boolean isRetryable(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        return event.invocation().isRetried() && !event.invocation().isPastDeadline() && isRetryableKind(failure);
    }

    /** Whether a failure is of a kind worth another attempt (whether or not the event allows one). */
    public boolean isRetryableKind(Exception failure) {
        TokenEndpointException noToken = ObjectHelper.getException(TokenEndpointException.class, failure);
        if (noToken != null) {
            return noToken.isRetryable();
        }
        Integer status = httpStatus(failure);
        if (status != null) {
            return retryableStatuses.contains(status);
        }
        // a JavaScript lambda's failure is retried as an HTTP 5xx, its timeout as an HTTP timeout
        LambdaFailureException lambdaFailed = ObjectHelper.getException(LambdaFailureException.class, failure);
        if (lambdaFailed != null) {
            return lambdaFailed.timedOut() || retryableStatuses.contains(500);
        }
        return isTransportFailure(failure);
    }

    /**
     * Whether the attempt failed on the way to the function or back: no connection, a connection
     * lost or reset, a timeout. Anything else without an HTTP status is the bridge's own failure.
     */
    static boolean isTransportFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof HttpClosedException) {
                return true;
            }
        }
        return false;
    }

    /** The retries are exhausted: {@code FUNCTION_FAILED}. */
    public void failed(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        event.invocation().ended();
        int attempts = event.invocation().getAttempts();
        event.outcome().deadLetter(DeadLetterReason.FUNCTION_FAILED, describe(event, failure)
                + (attempts == 0 ? "" : " (after " + attempts + " attempt" + (attempts == 1 ? "" : "s") + ")"));
    }

    /**
     * A failure not retried: the function refused the call, {@code FUNCTION_REJECTED}; or it
     * answered more than the cap, {@code INVALID_REPLY}, which counts as no message set; or it
     * failed where no retry is allowed (the transcript event, a gateway request past its deadline),
     * {@code FUNCTION_FAILED}; or the bridge itself failed on the call (no HTTP status, no transport
     * failure: a bug), {@code BRIDGE_ERROR} with its message.
     */
    public void rejected(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeException Exception failure) {
        if (isRetryableKind(failure) || ObjectHelper.getException(DeadlineException.class, failure) != null
                || ObjectHelper.getException(LambdaFailureException.class, failure) != null) {
            failed(event, failure);
            return;
        }
        event.invocation().ended();
        ReplyTooLargeException tooLarge = ObjectHelper.getException(ReplyTooLargeException.class, failure);
        if (tooLarge != null) {
            event.outcome().deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.invocation().getFunction().id() + ": " + tooLarge.getMessage());
            return;
        }
        if (httpStatus(failure) == null && ObjectHelper.getException(TokenEndpointException.class, failure) == null) {
            event.outcome().deadLetter(DeadLetterReason.BRIDGE_ERROR, "calling function " + event.invocation().getFunction().id() + ": " + bridgeFailure(failure));
            return;
        }
        event.outcome().deadLetter(DeadLetterReason.FUNCTION_REJECTED, describe(event, failure));
    }

    /** The bridge's own failure, as class and message, without any credentials of a url in it. */
    private static String bridgeFailure(Throwable failure) {
        Throwable cause = rootCause(failure);
        String message = cause.getMessage() == null ? "" : ": " + CREDENTIALS.matcher(cause.getMessage()).replaceAll("//***@");
        return DeadLetterReason.shorten(cause.getClass().getName() + message);
    }

    private static final Pattern CREDENTIALS = Pattern.compile("//[^/@\\s]+@");

    private String describe(BridgeEvent event, Exception failure) {
        String function = "function " + event.invocation().getFunction().id();
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
        LambdaFailureException lambdaFailed = ObjectHelper.getException(LambdaFailureException.class, failure);
        if (lambdaFailed != null) {
            return DeadLetterReason.shorten(lambdaFailed.getMessage());
        }
        Throwable cause = rootCause(failure);
        if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
            return function + " timed out after " + event.invocation().getTimeoutMs() + " ms";
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
        if (event.invocation().getGivenRequestId() != null) {
            return event.invocation().getGivenRequestId();
        }
        return SourceIds.of(event.record().topic(), event.record().partition(), event.record().offset(), event.invocation().getFunction().id());
    }
}
