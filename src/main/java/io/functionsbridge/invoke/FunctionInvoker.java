package io.functionsbridge.invoke;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.event.BridgeEvent;
import io.functionsbridge.output.DeadLetterReason;
import io.functionsbridge.output.SourceIds;
import io.functionsbridge.registry.FunctionDefinition;
import java.util.concurrent.TimeoutException;
import org.apache.camel.spi.HttpResponseAware;

/**
 * What the function call needs besides the HTTP endpoint (CONTRACT §5): the envelope, a request id
 * that stays the same over retries, the timeout, the attempt count, and which failures are retried.
 * The call itself and its redelivery policy are in {@code routes/function-invocation.camel.yaml}.
 */
public final class FunctionInvoker {

    private final ObjectMapper mapper = new ObjectMapper();
    private final int defaultTimeoutMs;
    private final int maxReplyBytes;

    /**
     * @param defaultTimeoutMs the per-attempt timeout of a function that sets none
     * @param maxReplyBytes    a larger reply is refused as {@code INVALID_REPLY}
     */
    public FunctionInvoker(int defaultTimeoutMs, int maxReplyBytes) {
        this.defaultTimeoutMs = defaultTimeoutMs;
        this.maxReplyBytes = maxReplyBytes;
    }

    /** Builds the envelope and the request id once, before the first attempt. */
    public void prepare(BridgeEvent event) {
        FunctionDefinition function = event.getFunction();
        ObjectNode envelope = mapper.createObjectNode();
        envelope.put("timestamp", System.currentTimeMillis());
        envelope.putArray("headers");
        envelope.set("payload", event.getPayload());
        int timeout = function.timeoutMs() != null ? function.timeoutMs() : defaultTimeoutMs;
        event.prepareInvocation(requestId(event), timeout, toBytes(envelope));
    }

    /** Counts an attempt and gives the body to send. */
    public byte[] attempt(BridgeEvent event) {
        event.countAttempt();
        return event.getEnvelope();
    }

    /**
     * Keeps the body of a 2xx reply, to be normalised; a reply over the cap is an
     * {@code INVALID_REPLY} and counts as no message set. A call that failed has already marked the
     * event ({@link #failed}, {@link #rejected}) and has no reply to keep.
     */
    public void completed(BridgeEvent event, byte[] reply) {
        if (event.isDeadLettered()) {
            return;
        }
        event.invocationEnded();
        if (reply != null && reply.length > maxReplyBytes) {
            event.deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.getFunction().id() + ": the reply of "
                    + reply.length + " bytes exceeds the cap of " + maxReplyBytes + " bytes (bridge.invoke.max-reply-bytes)");
            return;
        }
        event.setReply(reply);
    }

    /**
     * Whether a failed attempt is worth another: connection failures, timeouts, HTTP 5xx, 408, 429
     * and 901. Other HTTP statuses (other 4xx, 3xx) are not.
     */
    public boolean isRetryable(Exception failure) {
        if (rootCause(failure) instanceof ReplyTooLargeException) {
            return false;
        }
        Integer status = httpStatus(failure);
        if (status == null) {
            return true;
        }
        return status >= 500 || status == 408 || status == 429 || status == 901;
    }

    /** The retries are exhausted: {@code FUNCTION_FAILED}. */
    public void failed(BridgeEvent event, Exception failure) {
        event.invocationEnded();
        event.deadLetter(DeadLetterReason.FUNCTION_FAILED, describe(event, failure)
                + " (after " + event.getAttempts() + " attempt" + (event.getAttempts() == 1 ? "" : "s") + ")");
    }

    /**
     * The function refused the call: {@code FUNCTION_REJECTED}, not retried; or it answered more
     * than the cap: {@code INVALID_REPLY}, which counts as no message set.
     */
    public void rejected(BridgeEvent event, Exception failure) {
        event.invocationEnded();
        if (rootCause(failure) instanceof ReplyTooLargeException tooLarge) {
            event.deadLetter(DeadLetterReason.INVALID_REPLY, "function " + event.getFunction().id() + ": " + tooLarge.getMessage());
            return;
        }
        event.deadLetter(DeadLetterReason.FUNCTION_REJECTED, describe(event, failure));
    }

    private String describe(BridgeEvent event, Exception failure) {
        String function = "function " + event.getFunction().id();
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
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseAware aware && aware.getHttpResponseCode() > 0) {
                return aware.getHttpResponseCode();
            }
        }
        return null;
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
        return SourceIds.of(event.getSourceTopic(), event.getSourcePartition(), event.getSourceOffset(), event.getFunction().id());
    }

    private byte[] toBytes(ObjectNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the invocation envelope", e);
        }
    }
}
