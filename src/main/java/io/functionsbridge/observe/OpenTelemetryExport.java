package io.functionsbridge.observe;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelTracingService;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spans of the bridge run by itself (the runnable jar, the main job, the tests): with
 * {@code camel.opentelemetry2.enabled=true}, Camel's tracer as {@link BridgeTracer}, and, unless the
 * host has an OpenTelemetry tracer of its own (a bean, Spring Boot's starter), the OpenTelemetry SDK
 * as the usual {@code OTEL_*} variables or {@code otel.*} system properties configure it (OTLP to
 * {@code localhost:4317} by default, service name {@code functions-bridge}, spans only), closed
 * after a last export when the bridge stops.
 *
 * <p>Loaded only when tracing is on: the classes of the SDK are then needed, and only then.
 */
public final class OpenTelemetryExport extends ServiceSupport {

    /** The SDK's settings when neither {@code OTEL_*} nor {@code otel.*} sets them. */
    private static final Map<String, String> DEFAULTS = Map.of(
            "otel.service.name", "functions-bridge",
            "otel.metrics.exporter", "none",
            "otel.logs.exporter", "none");

    private static final Logger LOG = LoggerFactory.getLogger(OpenTelemetryExport.class);

    private OpenTelemetrySdk sdk;

    /**
     * Binds Camel's tracer as the bridge uses it ({@link BridgeTracer}), and the SDK, unless the
     * registry has a tracer already.
     */
    public static void bindUnlessPresent(CamelContext context) {
        if (CamelContextHelper.findSingleByType(context, CamelTracingService.class) == null) {
            context.getRegistry().bind("bridgeTracer", CamelTracingService.class, new BridgeTracer());
        }
        if (CamelContextHelper.findSingleByType(context, Tracer.class) == null) {
            new OpenTelemetryExport().bind(context);
        }
    }

    private void bind(CamelContext context) {
        sdk = AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> DEFAULTS)
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        LOG.info("OpenTelemetry spans on, exported as the OTEL_* settings say");
        context.getRegistry().bind("openTelemetryTracer", Tracer.class, sdk.getTracer("functions-bridge"));
        context.getRegistry().bind("openTelemetryPropagators", ContextPropagators.class, sdk.getPropagators());
        try {
            context.addService(this, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("the OpenTelemetry SDK could not be added to the bridge", e);
        }
    }

    /** The last spans are exported, once the routes have stopped. */
    @Override
    protected void doStop() {
        if (sdk != null) {
            sdk.close();
        }
    }
}
