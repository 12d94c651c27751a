package io.functionsbridge.observe;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.InvocationResult;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.registry.FunctionRegistry;
import io.functionsbridge.registry.LiveReload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every event's outcome in the bridge's metrics (served by Camel's management server on
 * {@code /observe/metrics}, beside Camel's own) and in the per-function MBeans
 * {@code io.functionsbridge:type=Functions,function="<id>"}, one per function of the registry in force.
 */
public final class BridgeMetrics implements CamelContextAware {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeMetrics.class);

    /** The name Camel's micrometer support binds its registry under. */
    static final String METER_REGISTRY = "metricsRegistry";

    /** Histogram buckets of an invocation's duration, with its retries: 5 ms to 1 minute. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    private CamelContext camelContext;
    private FunctionRegistry functions;
    private volatile MeterRegistry meters;
    private final Map<String, FunctionStats> stats = new ConcurrentHashMap<>();
    // by meter name, first label's value, second label's value ("" when there is none)
    private final Map<String, Map<String, Map<String, Counter>>> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /** The registry whose functions get an MBean each. */
    public void setFunctions(FunctionRegistry functions) {
        this.functions = functions;
    }

    /** Publishes an MBean per function of the registry, now and after every change of it. */
    public void register() {
        functions.onChange(this::publish);
    }

    /** Takes the functions' MBeans out of JMX (the bridge is stopping). */
    public void unregister() {
        publish(List.of());
    }

    /**
     * The meter registry of the Camel application: Camel's Prometheus registry (camel.metrics.enabled),
     * else one of the application's own, else one that only counts (for the MBeans).
     */
    public static MeterRegistry meterRegistry(CamelContext context) {
        if (context != null) {
            MeterRegistry named = context.getRegistry().lookupByNameAndType(METER_REGISTRY, MeterRegistry.class);
            if (named != null) {
                return named;
            }
            Set<MeterRegistry> found = context.getRegistry().findByType(MeterRegistry.class);
            if (found.size() == 1) {
                return found.iterator().next();
            }
        }
        return null;
    }

    private MeterRegistry meters() {
        MeterRegistry current = meters;
        if (current == null) {
            synchronized (this) {
                if (meters == null) {
                    MeterRegistry found = meterRegistry(camelContext);
                    meters = found != null ? found : new SimpleMeterRegistry();
                }
                current = meters;
            }
        }
        return current;
    }

    /**
     * Counts the event's outcome, its functions' invocations, the commands written and its dead
     * letters (an event whose functions are all called has an invocation for each).
     */
    public void count(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        counter("functions.bridge.events", "topic", event.record().topic(), "outcome", event.outcomeLabel()).increment();
        countEnd(event);
        for (BridgeEvent invocation : event.getInvocations()) {
            countEnd(invocation);
        }
    }

    private void countEnd(BridgeEvent event) {
        countInvocation(event);
        if (event.outcome().isDeadLettered()) {
            counter("functions.bridge.dead.letters", "reason", event.outcome().getDeadLetterReason().name(), null, null).increment();
        }
    }

    /**
     * Counts a function's invocation and the commands written: for an event, or for a gateway
     * request, which is no event of a topic and has no dead letter.
     */
    public void countInvocation(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        InvocationResult result = event.invocationResult();
        if (result != null) {
            String function = event.invocation().getFunctionId();
            counter("functions.bridge.invocations", "function", function, "result", result.label()).increment();
            if (result != InvocationResult.CIRCUIT_OPEN) {
                timer(function).record(event.invocation().getNanos(), TimeUnit.NANOSECONDS);
            }
            FunctionStats functionStats = stats.get(function);
            if (functionStats != null) {
                functionStats.count(event, result);
            }
        }
        for (Command command : event.outcome().getWritten()) {
            counter("functions.bridge.commands", "type", command.type().wireName(), "origin", command.origin().wireName()).increment();
        }
    }

    /** Counts the edits of the registry files that live changes refuse. */
    public void setLiveReload(LiveReload liveReload) {
        liveReload.onRefused(refusal -> reloadFailed(refusal.file()));
    }

    /** Counts a refused edit of a registry file (functions_bridge_reload_failures_total{file}). */
    public void reloadFailed(String file) {
        counter("functions.bridge.reload.failures", "file", file, null, null).increment();
    }

    /** The counter of that name and labels (one or two), registered on first use; no allocation after. */
    private Counter counter(String name, String tag, String value, String tag2, String value2) {
        Map<String, Counter> byValue2 = counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(String.valueOf(value), v -> new ConcurrentHashMap<>());
        Counter counter = byValue2.get(tag2 == null ? "" : value2);
        if (counter == null) {
            counter = byValue2.computeIfAbsent(tag2 == null ? "" : value2, v -> {
                Counter.Builder builder = Counter.builder(name).tag(tag, String.valueOf(value));
                if (tag2 != null) {
                    builder.tag(tag2, value2);
                }
                return builder.register(meters());
            });
        }
        return counter;
    }

    private Timer timer(String function) {
        Timer timer = timers.get(function);
        if (timer == null) {
            timer = timers.computeIfAbsent(function, id -> Timer.builder("functions.bridge.invocation")
                    .description("A function's invocation, with its retries")
                    .tag("function", id)
                    .serviceLevelObjectives(BUCKETS)
                    .register(meters()));
        }
        return timer;
    }

    /** The MBeans of the functions now in force: new ones published, gone ones taken out. */
    private synchronized void publish(List<FunctionDefinition> now) {
        Map<String, FunctionDefinition> byId = now.stream().collect(Collectors.toMap(FunctionDefinition::id, f -> f, (a, b) -> a));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        stats.keySet().removeIf(id -> {
            if (byId.containsKey(id)) {
                return false;
            }
            unregister(server, id);
            return true;
        });
        byId.forEach((id, function) -> {
            FunctionStats known = stats.get(id);
            if (known != null) {
                known.use(function);
                return;
            }
            FunctionStats created = new FunctionStats(function);
            stats.put(id, created);
            try {
                ObjectName name = objectName(id);
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
                server.registerMBean(created, name);
            } catch (JMException e) {
                LOG.warn("function {} is not in JMX: {}", id, e.toString());
            }
        });
    }

    private static void unregister(MBeanServer server, String id) {
        try {
            ObjectName name = objectName(id);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (JMException e) {
            LOG.debug("could not unregister function {}: {}", id, e.toString());
        }
    }

    static ObjectName objectName(String functionId) throws JMException {
        return new ObjectName("io.functionsbridge:type=Functions,function=" + ObjectName.quote(functionId));
    }
}
