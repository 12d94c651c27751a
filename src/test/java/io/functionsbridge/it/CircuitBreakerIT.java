package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import javax.management.ObjectName;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** No retry storms: a function that keeps failing is not called while its breaker is open, then it recovers. */
class CircuitBreakerIT extends AbstractBridgeIT {

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: crm-sync
                    event: controllerbot_messaging_ttr
                    url: %URL%/crm
                    state: deployed
                """;
    }

    @Override
    String autoMessagesYaml() {
        return "autoMessages:\n  AGENT_UPDATED_RESPONSE_TIME:\n    text: automatic\n";
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/crm", Response.status(503));
    }

    @Override
    Map<String, String> properties() {
        return Map.of(
                "bridge.invoke.backoff-ms", "5",
                "bridge.circuit-breaker.window-size", "10",
                "bridge.circuit-breaker.minimum-calls", "5",
                "bridge.circuit-breaker.open-ms", "4000",
                "bridge.circuit-breaker.half-open-calls", "1");
    }

    private String state() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("io.functionsbridge:type=CircuitBreaker,function=\"crm-sync\""), "State");
    }

    @Test
    void theBreakerOpensStopsTheCallsAndClosesAgainByItself() throws Exception {
        for (int i = 0; i < 5; i++) {
            String conv = "cb-" + i;
            handled(1, () -> sendEvent("AGENT_UPDATED_RESPONSE_TIME", conv));
        }
        assertThat(functions.calls("/crm")).as("5 invocations of 4 attempts").isEqualTo(20);
        assertThat(state()).isEqualTo("OPEN");

        handled(3, () -> {
            for (int i = 5; i < 8; i++) {
                sendEvent("AGENT_UPDATED_RESPONSE_TIME", "cb-" + i);
            }
        });
        assertThat(functions.calls("/crm")).as("no calls while open").isEqualTo(20);
        for (int i = 5; i < 8; i++) {
            String conv = "cb-" + i;
            KafkaRecords.Received dead = awaitNonEmpty(() -> deadLettersOf(conv)).get(0);
            assertThat(dead.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
            assertThat(dead.header("bridgeErrorMessage")).contains("circuit open");
            assertThat(dead.header("bridgeAttempts")).isEqualTo("0");
            assertThat(commandValuesOf(conv)).as("the automatic message still goes").hasSize(1);
        }

        functions.on("/crm", Response.ok("[]"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> state().equals("HALF_OPEN"));
        handled(1, () -> sendEvent("AGENT_UPDATED_RESPONSE_TIME", "cb-recovered"));
        assertThat(functions.calls("/crm")).isEqualTo(21);
        assertThat(deadLettersOf("cb-recovered")).isEmpty();
        assertThat(state()).isEqualTo("CLOSED");
    }
}
