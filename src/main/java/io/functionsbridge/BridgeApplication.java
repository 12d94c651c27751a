package io.functionsbridge;

import io.functionsbridge.domain.RefusedStartException;
import io.functionsbridge.observe.OpenTelemetryExport;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.ObjectHelper;

/**
 * The bridge as a Camel Main application: {@code application.properties} and {@code routes/} of the
 * working folder, with optional property overrides (the main job, tests). Shared by
 * {@link BridgeMain}, the demo and the tests so that all run the same configuration.
 */
public final class BridgeApplication {

    /** The configuration file, in the working folder (docs/contract.md). */
    public static final String PROPERTIES_LOCATION = "file:application.properties";

    private BridgeApplication() {
    }

    /** A configured, not yet started bridge; {@code overrides} win over application.properties. */
    public static Main create(Map<String, String> overrides) {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTIES_LOCATION);
        Properties properties = new Properties();
        properties.putAll(overrides);
        main.setOverrideProperties(properties);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport configured) {
                gatewayOnLoopbackWithoutTokens(configured.getCamelContext());
                noGatewayWithoutServer(configured.getCamelContext());
                if (isTracing(configured.getCamelContext())) {
                    OpenTelemetryExport.bindUnlessPresent(configured.getCamelContext());
                }
            }
        });
        return main;
    }

    /** Whether OpenTelemetry spans are on: {@code camel.opentelemetry2.enabled}, off by default. */
    static boolean isTracing(CamelContext context) {
        return "true".equalsIgnoreCase(context.getPropertiesComponent().resolveProperty("camel.opentelemetry2.enabled").orElse("false").strip());
    }

    /** The gateway's routes, which need Camel's HTTP server. */
    static final String GATEWAY_ROUTES = "file:routes/gateway.camel.yaml";

    /**
     * With Camel's HTTP server switched off ({@code camel.server.enabled=false}), the bridge runs
     * without the gateway: its routes, which need the server, are not loaded.
     */
    static void noGatewayWithoutServer(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        if (!"false".equalsIgnoreCase(properties.resolveProperty("camel.server.enabled").orElse("true").strip())) {
            return;
        }
        String excluded = properties.resolveProperty("camel.main.routesExcludePattern").orElse("");
        properties.addOverrideProperty("camel.main.routesExcludePattern", excluded.isBlank() ? GATEWAY_ROUTES : excluded + "," + GATEWAY_ROUTES);
    }

    /**
     * Without {@code bridge.gateway.tokens} or {@code bridge.gateway.jwt.jwks-url}, the gateway asks
     * no credentials, so it answers local callers only: Camel's HTTP server listens on 127.0.0.1,
     * whatever {@code camel.server.host} says (docs/contract.md, "The gateway").
     */
    static void gatewayOnLoopbackWithoutTokens(CamelContext context) {
        PropertiesComponent properties = context.getPropertiesComponent();
        if (properties.resolveProperty("bridge.gateway.tokens").orElse("").isBlank()
                && properties.resolveProperty("bridge.gateway.jwt.jwks-url").orElse("").isBlank()) {
            properties.addOverrideProperty("camel.server.host", "127.0.0.1");
        }
    }

    /** The registry or automatic-messages problem behind a failed start, if that is what failed. */
    public static Optional<RefusedStartException> registryProblem(Throwable failure) {
        return Optional.ofNullable(ObjectHelper.getException(RefusedStartException.class, failure));
    }
}
