package io.functionsbridge.observe;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.InvocationResult;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** The invocation counts of one function, and its registry entry in force, for JMX. */
final class FunctionStats implements FunctionStatsMBean {

    private volatile FunctionDefinition function;
    private final LongAdder invocations = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder invalidReplies = new LongAdder();
    private final LongAdder circuitOpen = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();
    private final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
    private volatile String lastFailure = "";

    FunctionStats(FunctionDefinition function) {
        this.function = function;
    }

    void use(FunctionDefinition function) {
        this.function = function;
    }

    /** Counts an event's invocation, whose result is {@code result} (see {@link BridgeEvent#invocationResult()}). */
    void count(BridgeEvent event, InvocationResult result) {
        if (result == InvocationResult.CIRCUIT_OPEN) {
            circuitOpen.increment();
            return;
        }
        invocations.increment();
        totalNanos.add(event.invocation().getNanos());
        maxNanos.accumulate(event.invocation().getNanos());
        switch (result) {
            case FAILED -> failed.increment();
            case REJECTED -> rejected.increment();
            case INVALID_REPLY -> invalidReplies.increment();
            default -> {
                return;
            }
        }
        lastFailure = event.outcome().getDeadLetterReason() + " at " + Instant.now()
                + (event.outcome().getDeadLetterReason().quotesTheRecord() ? "" : ": " + event.outcome().getDeadLetterMessage());
    }

    @Override
    public String getName() {
        return function.name();
    }

    @Override
    public String getEvent() {
        return function.event();
    }

    @Override
    public String getState() {
        return function.deployed() ? "deployed" : "undeployed";
    }

    @Override
    public long getInvocations() {
        return invocations.sum();
    }

    @Override
    public long getFailed() {
        return failed.sum();
    }

    @Override
    public long getRejected() {
        return rejected.sum();
    }

    @Override
    public long getInvalidReplies() {
        return invalidReplies.sum();
    }

    @Override
    public long getCircuitOpen() {
        return circuitOpen.sum();
    }

    @Override
    public double getMeanMillis() {
        long count = invocations.sum();
        return count == 0 ? 0 : totalNanos.sum() / (double) count / TimeUnit.MILLISECONDS.toNanos(1);
    }

    @Override
    public long getMaxMillis() {
        return TimeUnit.NANOSECONDS.toMillis(maxNanos.get());
    }

    @Override
    public String getLastFailure() {
        return lastFailure;
    }
}
