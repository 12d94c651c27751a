package io.functionsbridge.observe;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.TraceContext;
import io.functionsbridge.ordering.OrderedKafkaComponent;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.telemetry.Span;
import org.apache.camel.telemetry.SpanContextPropagationExtractor;
import org.apache.camel.telemetry.SpanContextPropagationInjector;
import org.apache.camel.telemetry.decorators.AbstractSpanDecorator;

/**
 * The span of an event from an input topic, with OpenTelemetry on ({@code camel.opentelemetry2.enabled}):
 * named by its route's id ({@code consume-conversation-events}...), a child of the record's
 * {@code traceparent} (Kafka's headers are bytes: Camel's own extractor reads text headers only),
 * and with what the event did as attributes, never its payload. The span's context becomes the
 * event's trace, which its function call, command records and dead letter carry.
 *
 * <p>Camel's tracer finds it with the {@link java.util.ServiceLoader} (META-INF/services), by its
 * component, {@code ordered-kafka}.
 */
public class OrderedKafkaSpanDecorator extends AbstractSpanDecorator {

    @Override
    public String getComponent() {
        return "ordered-kafka";
    }

    @Override
    public String getComponentClassName() {
        return OrderedKafkaComponent.class.getName();
    }

    @Override
    public String getOperationName(Exchange exchange, Endpoint endpoint) {
        return exchange.getFromRouteId();
    }

    @Override
    public void beforeTracingEvent(Span span, Exchange exchange, Endpoint endpoint) {
        super.beforeTracingEvent(span, exchange, endpoint);
        BridgeEvent event = event(exchange);
        span.setTag("messaging.system", "kafka");
        span.setTag("messaging.operation.type", "process");
        if (event != null) {
            span.setTag("messaging.destination.name", event.record().topic());
            span.setTag("messaging.destination.partition.id", String.valueOf(event.record().partition()));
            span.setTag("messaging.kafka.offset", String.valueOf(event.record().offset()));
        }
    }

    /** The event type, its function and its outcome, once it has ended. */
    @Override
    public void afterTracingEvent(Span span, Exchange exchange) {
        super.afterTracingEvent(span, exchange);
        BridgeEvent event = event(exchange);
        if (event == null) {
            return;
        }
        tag(span, "functions_bridge.event.type", event.record().eventType());
        tag(span, "functions_bridge.functions_event", event.invocation().getFunctionsEvent());
        tag(span, "functions_bridge.conversation.id", event.record().convId());
        if (event.invocation().hasFunction()) {
            span.setTag("functions_bridge.function.id", event.invocation().getFunctionId());
            span.setTag("functions_bridge.attempts", String.valueOf(event.invocation().getAttempts()));
        }
        String outcome = event.outcomeLabel();
        span.setTag("functions_bridge.outcome", outcome);
        if (event.outcome().isDeadLettered()) {
            span.setTag("functions_bridge.dead_letter.reason", event.outcome().getDeadLetterReason().name());
            span.setError(true);
        }
    }

    /** The record's {@code traceparent} and {@code tracestate}, as text. */
    @Override
    public SpanContextPropagationExtractor getExtractor(Exchange exchange) {
        Map<String, Object> carried = new LinkedHashMap<>(2);
        BridgeEvent event = event(exchange);
        if (event != null) {
            for (String name : new String[] {TraceContext.TRACEPARENT, TraceContext.TRACESTATE}) {
                byte[] value = event.record().headers().get(name);
                if (value != null) {
                    carried.put(name, new String(value, StandardCharsets.UTF_8));
                }
            }
        }
        return new SpanContextPropagationExtractor() {
            @Override
            public Iterator<Map.Entry<String, Object>> iterator() {
                return carried.entrySet().iterator();
            }

            @Override
            public Object get(String key) {
                return carried.get(key);
            }

            @Override
            public Set<String> keys() {
                return carried.keySet();
            }
        };
    }

    /** The span's context is the event's trace from now on: nothing is written to the message. */
    @Override
    public SpanContextPropagationInjector getInjector(Exchange exchange) {
        BridgeEvent event = event(exchange);
        return (key, value) -> {
            if (event != null && TraceContext.TRACEPARENT.equals(key)) {
                event.traceIn(value);
            }
        };
    }

    private static BridgeEvent event(Exchange exchange) {
        return exchange.getProperty(BridgeEvent.PROPERTY, BridgeEvent.class);
    }

    private static void tag(Span span, String name, String value) {
        if (value != null) {
            span.setTag(name, value);
        }
    }
}
