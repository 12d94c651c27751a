package io.functionsbridge.observe;

/** One function over JMX: {@code io.functionsbridge:type=Functions,function="<id>"}. */
public interface FunctionStatsMBean {

    /** The function's name in the registry (free text). */
    String getName();

    /** The Functions event it is deployed on. */
    String getEvent();

    /** {@code deployed} or {@code undeployed}, as the registry in force says. */
    String getState();

    /** Invocations that called the function (all attempts of an event count once). */
    long getInvocations();

    /** Invocations that failed after their retries (FUNCTION_FAILED). */
    long getFailed();

    /** Invocations the function refused (FUNCTION_REJECTED). */
    long getRejected();

    /** Invocations whose reply could not be used (INVALID_REPLY). */
    long getInvalidReplies();

    /** Events refused by the function's open circuit breaker, without a call. */
    long getCircuitOpen();

    /** Mean duration of an invocation, with its retries, in milliseconds. */
    double getMeanMillis();

    /** Longest invocation, with its retries, in milliseconds. */
    long getMaxMillis();

    /** The last failure: its reason and when, or empty when there was none. */
    String getLastFailure();
}
