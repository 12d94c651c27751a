package io.functionsbridge.observe;

import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.invoke.FunctionCircuitBreakers;
import io.functionsbridge.registry.FunctionRegistry;
import io.functionsbridge.registry.LiveReload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The bridge's own readiness check, {@code functions-bridge}: UP once the registry and the automatic
 * messages are loaded (the bridge does not start without them). Its message and details name the
 * functions in force, the circuit breakers not closed and the last refused edit; those never make
 * it DOWN (a function's trouble is not the bridge's).
 */
public final class BridgeHealthCheck extends AbstractHealthCheck {

    private FunctionRegistry functions;
    private FunctionCircuitBreakers circuitBreakers;
    private LiveReload liveReload;

    public BridgeHealthCheck() {
        super("functions-bridge", "functions-bridge");
    }

    public void setFunctions(FunctionRegistry functions) {
        this.functions = functions;
    }

    public void setCircuitBreakers(FunctionCircuitBreakers circuitBreakers) {
        this.circuitBreakers = circuitBreakers;
    }

    public void setLiveReload(LiveReload liveReload) {
        this.liveReload = liveReload;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<FunctionDefinition> all = functions.functions();
        long deployed = all.stream().filter(FunctionDefinition::deployed).count();
        List<String> message = new ArrayList<>();
        message.add(all.size() + " functions, " + deployed + " deployed");
        builder.detail("functions", all.size());
        builder.detail("functions.deployed", deployed);
        Map<String, String> breakers = circuitBreakers.notClosed();
        if (!breakers.isEmpty()) {
            message.add("circuit breakers not closed: " + breakers);
            builder.detail("circuit-breakers.not-closed", breakers.toString());
        }
        LiveReload.Refusal refusal = liveReload == null ? null : liveReload.lastRefusal();
        if (refusal != null) {
            message.add("last refused edit: " + refusal.file() + " at " + refusal.at() + " (" + refusal.problem() + ")");
            builder.detail("reload.last-refused.file", refusal.file());
            builder.detail("reload.last-refused.at", refusal.at().toString());
            builder.detail("reload.last-refused.problem", refusal.problem());
        }
        builder.message(String.join("; ", message));
        builder.up();
    }
}
