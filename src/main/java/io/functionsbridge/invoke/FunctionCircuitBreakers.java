package io.functionsbridge.invoke;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
    private final Map<String, ObjectName> published = new ConcurrentHashMap<>();

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
        CircuitBreaker breaker = breaker(event.getFunction().id());
        if (breaker.tryAcquirePermission()) {
            return true;
        }
        event.deadLetter(DeadLetterReason.FUNCTION_FAILED, "function " + event.getFunction().id()
                + ": circuit open (too many failed invocations), not called");
        return false;
    }

    /** Records how the invocation ended: failed after its retries, or answered (whatever it answered). */
    public void record(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        CircuitBreaker breaker = breaker(event.getFunction().id());
        long millis = event.getInvocationMillis();
        if (event.getDeadLetterReason() == DeadLetterReason.FUNCTION_FAILED) {
            breaker.onError(millis, TimeUnit.MILLISECONDS, new IllegalStateException(event.getDeadLetterMessage()));
        } else {
            breaker.onSuccess(millis, TimeUnit.MILLISECONDS);
        }
    }

    public CircuitBreaker.State state(String functionId) {
        return breaker(functionId).getState();
    }

    private CircuitBreaker breaker(String functionId) {
        CircuitBreaker breaker = registry().circuitBreaker(functionId);
        published.computeIfAbsent(functionId, id -> publish(id, breaker));
        return breaker;
    }

    private ObjectName publish(String functionId, CircuitBreaker breaker) {
        breaker.getEventPublisher().onStateTransition(transition -> LOG.warn("function {}: circuit breaker {}",
                functionId, transition.getStateTransition()));
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
        published.values().forEach(name -> {
            try {
                if (name != null && server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            } catch (JMException e) {
                LOG.debug("could not unregister {}: {}", name, e.toString());
            }
        });
        published.clear();
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
