package io.functionsbridge.domain;

import java.util.List;

/**
 * One record on its way through the routes, in three parts, each written by its own stage: what
 * was read ({@link #record()}, immutable), the call of its function ({@link #invocation()}), and
 * how it ends ({@link #outcome()}). It travels as the exchange property {@code event}, so that no
 * state travels in message headers (they are stripped at every boundary).
 */
public final class BridgeEvent {

    /** The exchange property that carries the event through the routes. */
    public static final String PROPERTY = "event";

    /**
     * The record header saying that the event's automatic message was written already: set on a
     * dead letter whose event wrote it, and carried by its redrive, so that a redriven event does
     * not write it again.
     */
    public static final String AUTO_MESSAGE_WRITTEN = "bridgeAutoMessageWritten";

    private final EventRecord record;
    private volatile TraceContext trace;
    private final Invocation invocation;
    private final Outcome outcome = new Outcome();
    private List<BridgeEvent> invocations = List.of();

    public BridgeEvent(EventRecord record) {
        this(record, TraceContext.of(record.headers()), new Invocation());
    }

    private BridgeEvent(EventRecord record, TraceContext trace, Invocation invocation) {
        this.record = record;
        this.trace = trace;
        this.invocation = invocation;
        if (record.refusal() != null) {
            outcome.deadLetter(record.refusal().reason(), record.refusal().getMessage());
        }
    }

    /** What was read of the record. */
    public EventRecord record() {
        return record;
    }

    /** The event's trace: its function calls, command records and dead letter carry it. */
    public TraceContext trace() {
        return trace;
    }

    /**
     * The event's trace is from now on that span's (OpenTelemetry's span of the event or of its
     * function call, when tracing is on): a {@code traceparent} that is not valid changes nothing.
     */
    public void traceIn(String traceparent) {
        trace = trace.inSpan(traceparent);
    }

    /** The call of the event's function. */
    public Invocation invocation() {
        return invocation;
    }

    /** How the event ends. */
    public Outcome outcome() {
        return outcome;
    }

    /**
     * The same record given to another of its event's functions: an event whose functions are all
     * called (the transcript event, the gateway's invoke by event) has one invocation per function,
     * each with its own attempts, reply, commands and dead letter.
     */
    public BridgeEvent invocationOf(FunctionDefinition other) {
        return new BridgeEvent(record, trace, invocation.copyFor(other));
    }

    /** The invocations of an event whose functions are all called; empty for any other. */
    public List<BridgeEvent> getInvocations() {
        return invocations;
    }

    public void setInvocations(List<BridgeEvent> invocations) {
        this.invocations = List.copyOf(invocations);
    }

    /** The function's circuit breaker was open: the event is dead-lettered without a call. */
    public void circuitOpen(String message) {
        invocation.refusedByCircuit();
        outcome.deadLetter(DeadLetterReason.FUNCTION_FAILED, message);
    }

    /**
     * How the event's invocation ended, for the metrics: {@code null} when no function was called
     * (none deployed, or the event was refused before).
     */
    public InvocationResult invocationResult() {
        if (invocation.isCircuitOpen()) {
            return InvocationResult.CIRCUIT_OPEN;
        }
        if (invocation.getAttempts() == 0) {
            return null;
        }
        if (outcome.getDeadLetterReason() == null) {
            return InvocationResult.OK;
        }
        return switch (outcome.getDeadLetterReason()) {
            case FUNCTION_FAILED -> InvocationResult.FAILED;
            case FUNCTION_REJECTED -> InvocationResult.REJECTED;
            case INVALID_REPLY -> InvocationResult.INVALID_REPLY;
            case BRIDGE_ERROR -> InvocationResult.BRIDGE_ERROR;
            default -> InvocationResult.OK;
        };
    }

    /**
     * The event's outcome, for the metrics: {@code dead_letter}, else {@code commands} (some were
     * written) or {@code no_commands}.
     */
    public String outcomeLabel() {
        boolean deadLettered = outcome.isDeadLettered();
        boolean anyWritten = !outcome.getWritten().isEmpty();
        for (BridgeEvent each : invocations) {
            deadLettered |= each.outcome.isDeadLettered();
            anyWritten |= !each.outcome.getWritten().isEmpty();
        }
        if (deadLettered) {
            return "dead_letter";
        }
        return anyWritten ? "commands" : "no_commands";
    }

    /** Whether this event wrote its automatic message, or one written before says so. */
    public boolean isAutoMessageWritten() {
        if (record.isAutoMessageWrittenBefore()) {
            return true;
        }
        for (Command command : outcome.getWritten()) {
            if (command.origin() == Command.Origin.AUTO_MESSAGE) {
                return true;
            }
        }
        return false;
    }

    /** A short text naming the record, for logs and error messages. */
    public String describe() {
        return record.describe();
    }
}
