package io.functionsbridge.invoke;

/** A function's circuit breaker over JMX ({@code io.functionsbridge:type=CircuitBreaker,function=<id>}). */
public interface CircuitBreakerMBean {

    /** CLOSED (calls go through), OPEN (no calls: dead letters "circuit open"), HALF_OPEN (trial calls). */
    String getState();

    /** Failed invocations in the sliding window, in percent; -1 until the window has its minimum calls. */
    float getFailureRate();

    /** Events dead-lettered without a call while the breaker was open. */
    long getNotPermittedCalls();
}
