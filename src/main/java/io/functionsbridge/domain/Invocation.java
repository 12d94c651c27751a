package io.functionsbridge.domain;

/**
 * The call of an event's function: what enrichment chose (the Functions event, the function and
 * the automatic message in force), what every attempt shares (request id, timeout, envelope), the
 * attempts and the reply. Written by the registry, the invoker and the circuit breakers.
 */
public final class Invocation {

    private String functionsEvent;
    private FunctionDefinition function;
    private AutoMessage autoMessage;
    private boolean retried = true;
    private long deadlineNanos;
    private String givenRequestId;
    private byte[] givenEnvelope;

    private String requestId;
    private int timeoutMs;
    private byte[] envelope;
    private int attempts;
    private long invocationNanos;
    private long invocationStartNanos;
    private long invokedAtMillis;
    private boolean circuitOpen;
    private byte[] reply;
    private boolean replied;

    /** The same enrichment for another function of the event: a fresh call. */
    Invocation copyFor(FunctionDefinition other) {
        Invocation copy = new Invocation();
        copy.functionsEvent = functionsEvent;
        copy.retried = retried;
        copy.deadlineNanos = deadlineNanos;
        copy.givenRequestId = givenRequestId;
        copy.givenEnvelope = givenEnvelope;
        copy.function = other;
        return copy;
    }

    public String getFunctionsEvent() {
        return functionsEvent;
    }

    public void setFunctionsEvent(String functionsEvent) {
        this.functionsEvent = functionsEvent;
    }

    public FunctionDefinition getFunction() {
        return function;
    }

    public void setFunction(FunctionDefinition function) {
        this.function = function;
    }

    public String getFunctionId() {
        return function == null ? null : function.id();
    }

    public boolean hasFunction() {
        return function != null;
    }

    /** The automatic message in force when the event was enriched, or {@code null} when there is none. */
    public AutoMessage getAutoMessage() {
        return autoMessage;
    }

    public void setAutoMessage(AutoMessage autoMessage) {
        this.autoMessage = autoMessage;
    }

    /** Whether a failed call may be retried (the transcript event's are not). */
    public boolean isRetried() {
        return retried;
    }

    public void setRetried(boolean retried) {
        this.retried = retried;
    }

    /** The gateway request's deadline ({@link System#nanoTime()}), or 0 when the event has none. */
    public void setDeadlineNanos(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /** Milliseconds left before the deadline (at least 0), or {@link Long#MAX_VALUE} without one. */
    public long remainingMillis() {
        if (deadlineNanos == 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    /** Whether the event had a deadline and it has passed. */
    public boolean isPastDeadline() {
        return deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0;
    }

    /** The X-Request-ID a gateway caller gave, or {@code null}: the calls then carry it. */
    public String getGivenRequestId() {
        return givenRequestId;
    }

    public void setGivenRequestId(String givenRequestId) {
        this.givenRequestId = givenRequestId;
    }

    /** Fixes what stays the same over every attempt of the call. */
    public void prepare(String requestId, int timeoutMs, byte[] envelope, long invokedAtMillis) {
        this.invokedAtMillis = invokedAtMillis;
        this.requestId = requestId;
        this.timeoutMs = timeoutMs;
        this.envelope = envelope;
        this.invocationStartNanos = System.nanoTime();
    }

    public String getRequestId() {
        return requestId;
    }

    public int getTimeoutMs() {
        return timeoutMs;
    }

    /** The envelope as the caller sent it (a gateway request), sent instead of one the bridge builds; or {@code null}. */
    public byte[] getGivenEnvelope() {
        return givenEnvelope;
    }

    public void setGivenEnvelope(byte[] givenEnvelope) {
        this.givenEnvelope = givenEnvelope;
    }

    public byte[] getEnvelope() {
        return envelope;
    }

    /** When the first attempt started (epoch milliseconds): the envelope's timestamp. */
    public long getInvokedAtMillis() {
        return invokedAtMillis;
    }

    public int getAttempts() {
        return attempts;
    }

    public void countAttempt() {
        attempts++;
    }

    public void ended() {
        invocationNanos = System.nanoTime() - invocationStartNanos;
    }

    /** Time from the first attempt to the end of the last one, in milliseconds. */
    public long getMillis() {
        return invocationNanos / 1_000_000;
    }

    /** Time from the first attempt to the end of the last one, in nanoseconds. */
    public long getNanos() {
        return invocationNanos;
    }

    /** Whether the function's circuit breaker refused the call. */
    public boolean isCircuitOpen() {
        return circuitOpen;
    }

    void refusedByCircuit() {
        circuitOpen = true;
    }

    public byte[] getReply() {
        return reply;
    }

    /** Whether the function answered with a 2xx (its body may still be unusable). */
    public boolean isReplied() {
        return replied;
    }

    public void setReply(byte[] reply) {
        this.reply = reply;
        this.replied = true;
    }
}
