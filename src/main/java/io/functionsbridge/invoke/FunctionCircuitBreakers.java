package io.functionsbridge.invoke;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One circuit breaker per function, so that retries do not pile load on a function that is
 * already failing (the seeds' warning): after {@code failureRatePercent} of the last
 * {@code windowSize} invocations failed (FUNCTION_FAILED after its retries), the breaker opens and
 * events of that function are dead-lettered FUNCTION_FAILED ("circuit open") without a call; after
 * {@code openMillis} a few trial calls decide whether it closes again. Each breaker is in JMX as
 * {@code io.functionsbridge:type=CircuitBreaker,function=<id>}.
 */
public final class FunctionCircuitBreakers {

    private static final Logger LOG = LoggerFactory.getLogger(FunctionCircuitBreakers.class);

    private int failureRatePercent = 50;
    private int windowSize = 20;
    private int minimumCalls = 10;
    private long openMs = 30_000;
    private int halfOpenCalls = 3;
    private volatile CircuitBreakerRegistry registry;
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    /** A function's breaker, its name in JMX, and the state last logged. */
    private record Breaker(CircuitBreaker breaker, ObjectName name, AtomicReference<CircuitBreaker.State> logged) {
    }

    /** The breaker opens when this share of the window's invocations failed (bridge.circuit-breaker.failure-rate-percent). */
    public void setFailureRatePercent(int failureRatePercent) {
        this.failureRatePercent = failureRatePercent;
    }

    /** How many of the last invocations count (bridge.circuit-breaker.window-size). */
    public void setWindowSize(int windowSize) {
        this.windowSize = windowSize;
    }

    /** Invocations needed before the rate counts (bridge.circuit-breaker.minimum-calls). */
    public void setMinimumCalls(int minimumCalls) {
        this.minimumCalls = minimumCalls;
    }

    /** How long an open breaker stays open (bridge.circuit-breaker.open-ms). */
    public void setOpenMs(long openMs) {
        this.openMs = openMs;
    }

    /** Trial calls of a half-open breaker (bridge.circuit-breaker.half-open-calls). */
    public void setHalfOpenCalls(int halfOpenCalls) {
        this.halfOpenCalls = halfOpenCalls;
    }

    private CircuitBreakerRegistry registry() {
        CircuitBreakerRegistry current = registry;
        if (current == null) {
            synchronized (this) {
                if (registry == null) {
                    registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                            .failureRateThreshold(failureRatePercent)
                            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                            .slidingWindowSize(windowSize)
                            .minimumNumberOfCalls(minimumCalls)
                            .waitDurationInOpenState(Duration.ofMillis(openMs))
                            .permittedNumberOfCallsInHalfOpenState(halfOpenCalls)
                            .automaticTransitionFromOpenToHalfOpenEnabled(true)
                            .build());
                }
                current = registry;
            }
        }
        return current;
    }

    /**
     * Whether the event's function may be called now. If not, the event is marked FUNCTION_FAILED
     * ("circuit open") with no attempt, and goes on to its automatic message.
     */
    public boolean permits(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        Breaker breaker = breaker(event.invocation().getFunction().id());
        boolean permitted = breaker.breaker().tryAcquirePermission();
        logTransition(event.invocation().getFunction().id(), breaker);
        if (permitted) {
            return true;
        }
        event.circuitOpen("function " + event.invocation().getFunction().id() + ": circuit open (too many failed invocations), not called");
        return false;
    }

    /** Records how the invocation ended: failed after its retries, or answered (whatever it answered). */
    public void record(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        Breaker breaker = breaker(event.invocation().getFunction().id());
        long millis = event.invocation().getMillis();
        if (event.outcome().getDeadLetterReason() == DeadLetterReason.FUNCTION_FAILED) {
            breaker.breaker().onError(millis, TimeUnit.MILLISECONDS, new IllegalStateException(event.outcome().getDeadLetterMessage()));
        } else {
            breaker.breaker().onSuccess(millis, TimeUnit.MILLISECONDS);
        }
        logTransition(event.invocation().getFunction().id(), breaker);
    }

    /** The functions whose breaker is not closed, with its state (OPEN, HALF_OPEN...). */
    public Map<String, String> notClosed() {
        Map<String, String> states = new TreeMap<>();
        breakers.forEach((id, breaker) -> {
            if (breaker.breaker().getState() != CircuitBreaker.State.CLOSED) {
                states.put(id, breaker.breaker().getState().name());
            }
        });
        return states;
    }

    public CircuitBreaker.State state(String functionId) {
        return breaker(functionId).breaker().getState();
    }

    private Breaker breaker(String functionId) {
        Breaker known = breakers.get(functionId);
        return known != null ? known : breakers.computeIfAbsent(functionId, id -> {
            CircuitBreaker breaker = registry().circuitBreaker(id);
            return new Breaker(breaker, publish(id, breaker), new AtomicReference<>(breaker.getState()));
        });
    }

    /**
     * Logs a change of the breaker's state once, when a call sees it. (A listener for resilience4j's
     * transition events would make the breaker create an event object on every call.)
     */
    private static void logTransition(String functionId, Breaker breaker) {
        CircuitBreaker.State now = breaker.breaker().getState();
        CircuitBreaker.State was = breaker.logged().getAndSet(now);
        if (was != now) {
            LOG.warn("function {}: circuit breaker {} -> {}", functionId, was, now);
        }
    }

    private ObjectName publish(String functionId, CircuitBreaker breaker) {
        try {
            ObjectName name = new ObjectName("io.functionsbridge:type=CircuitBreaker,function=" + ObjectName.quote(functionId));
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new StandardMBean(new CircuitBreakerView(breaker), CircuitBreakerMBean.class), name);
            return name;
        } catch (JMException e) {
            LOG.warn("circuit breaker of function {} is not in JMX: {}", functionId, e.toString());
            return null;
        }
    }

    /** Takes the breakers out of JMX (the bridge is stopping). */
    public void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        breakers.values().stream().map(Breaker::name).forEach(name -> {
            try {
                if (name != null && server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                LOG.debug("could not unregister {}: {}", name, e.toString());
            }
        });
        breakers.clear();
    }

    /** The JMX view of one breaker. */
    static final class CircuitBreakerView implements CircuitBreakerMBean {
        private final CircuitBreaker breaker;

        CircuitBreakerView(CircuitBreaker breaker) {
            this.breaker = breaker;
        }

        @Override
        public String getState() {
            return breaker.getState().name();
        }

        @Override
        public float getFailureRate() {
            return breaker.getMetrics().getFailureRate();
        }

        @Override
        public long getNotPermittedCalls() {
            return breaker.getMetrics().getNumberOfNotPermittedCalls();
        }
    }
}
