package io.functionsbridge.domain;

/** How an event's invocation of its function ended: the {@code result} label of the metrics. */
public enum InvocationResult {
    /** The function answered 2xx with a usable reply. */
    OK,
    /** {@code FUNCTION_FAILED}, after the retries. */
    FAILED,
    /** {@code FUNCTION_REJECTED}: the function refused the call. */
    REJECTED,
    /** {@code INVALID_REPLY}. */
    INVALID_REPLY,
    /** The function's circuit breaker refused the call: no call was made. */
    CIRCUIT_OPEN,
    /** {@code BRIDGE_ERROR}: the bridge itself failed on the call. */
    BRIDGE_ERROR;

    /** The metric label: the name in lower case. */
    public String label() {
        return name().toLowerCase();
    }
}
