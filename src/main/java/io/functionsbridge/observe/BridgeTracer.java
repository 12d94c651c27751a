package io.functionsbridge.observe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.opentelemetry2.OpenTelemetryTracer;

/**
 * Camel's OpenTelemetry tracer ({@code camel.opentelemetry2.*}), with its exclude patterns matched
 * once per endpoint instead of on every exchange sent: Camel 4.18.0 compiles each wildcard pattern
 * into a regular expression again at every match, which cost the bridge 350 KB and 0.35 ms of CPU
 * per event (docs/benchmark.md, "What the spans cost"). The bridge's endpoints are few and fixed,
 * so what is excluded is remembered by endpoint uri.
 */
public class BridgeTracer extends OpenTelemetryTracer {

    /** Endpoint uris remembered at most: the routes' endpoints are far fewer. */
    private static final int REMEMBERED = 1024;

    private final Map<String, Boolean> excluded = new ConcurrentHashMap<>();

    @Override
    public boolean exclude(String endpointUri, CamelContext context) {
        Boolean known = excluded.get(endpointUri);
        if (known == null) {
            known = super.exclude(endpointUri, context);
            if (excluded.size() < REMEMBERED) {
                excluded.put(endpointUri, known);
            }
        }
        return known;
    }
}
