package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The gateway's credentials (docs/contract.md, "The gateway"): with bridge.gateway.tokens set,
 * every request carries one of them as a bearer token, and the server listens where
 * camel.server.host says; without, it listens on 127.0.0.1 only.
 */
class GatewayAuthIT extends AbstractBridgeIT {

    private static final String INVOKE = "/api/account/acme/lambdas/44444444-0000-4000-8000-000000000001/invoke?v=1";

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: 44444444-0000-4000-8000-000000000001
                    event: bot_connectors_custom_integration
                    url: %URL%/hook
                    state: deployed
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.gateway.tokens", "first-token, second-token", "bridge.account", "acme");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/hook", Response.ok("{\"response\":\"hooked\"}"));
    }

    @Test
    void everyRequestMustCarryOneOfTheTokens() {
        GatewayClient gateway = new GatewayClient(bridge.gatewayUrl());
        String body = GatewayClient.envelope("{\"message\":\"hi\"}");
        GatewayClient.Answer none = gateway.post(INVOKE, body);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("UNAUTHORIZED");
        assertThat(none.headers().get("www-authenticate")).containsExactly("Bearer");
        assertThat(gateway.post(INVOKE, body, "Authorization", "Bearer wrong-token").status()).isEqualTo(401);
        assertThat(gateway.post(INVOKE, body, "Authorization", "Basic Zmlyc3QtdG9rZW46").status()).isEqualTo(401);
        // nothing is said about the account or the function to a caller without credentials
        assertThat(gateway.post(INVOKE.replace("acme", "other"), body).status()).isEqualTo(401);
        assertThat(gateway.get("/api/account/acme/events/nope/isImplemented?v=1").status()).isEqualTo(401);
        assertThat(functions.calls("/hook")).isZero();

        GatewayClient.Answer first = gateway.post(INVOKE, body, "Authorization", "Bearer first-token");
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(first.json().path("response").asText()).isEqualTo("hooked");
        assertThat(gateway.post(INVOKE, body, "Authorization", "Bearer second-token").status()).isEqualTo(200);
        assertThat(gateway.get("/api/account/acme/events/bot_connectors_custom_integration/isImplemented?v=1",
                "Authorization", "Bearer second-token").json().path("implemented").asBoolean()).isTrue();
        // the account is bridge.account
        assertThat(gateway.post(INVOKE.replace("acme", "local"), body, "Authorization", "Bearer first-token").errorCode()).isEqualTo("UNKNOWN_ACCOUNT");
    }

    @Test
    void withTokensTheServerListensWhereCamelServerHostSaysWithoutOnlyOnLoopback() throws Exception {
        Optional<InetAddress> outside = nonLoopbackAddress();
        assumeTrue(outside.isPresent(), "this machine has no address but loopback");
        int port = Integer.parseInt(bridge.context().resolvePropertyPlaceholders("{{camel.server.port}}"));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(outside.get(), port), 2000);
            assertThat(socket.isConnected()).isTrue();
        }
        // a bridge without tokens, on the same machine: loopback only
        try (RunningBridge open = RunningBridge.start(kafka, functionsYaml().replace("%URL%", functions.url("")), "autoMessages: {}\n", Map.of())) {
            int openPort = Integer.parseInt(open.context().resolvePropertyPlaceholders("{{camel.server.port}}"));
            assertThat(new GatewayClient(open.gatewayUrl()).get("/api/account/local/events/bot_connectors_custom_integration/isImplemented?v=1")
                    .status()).isEqualTo(200);
            assertThatThrownBy(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(outside.get(), openPort), 2000);
                }
            }).isInstanceOf(java.io.IOException.class);
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
        for (NetworkInterface network : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (network.isUp() && !network.isLoopback()) {
                for (InetAddress address : Collections.list(network.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        return Optional.of(address);
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Test
    void withCamelsHttpServerOffTheBridgeRunsWithoutTheGateway() {
        try (RunningBridge off = RunningBridge.start(kafka, "functions: []\n", "autoMessages: {}\n", Map.of("camel.server.enabled", "false"))) {
            assertThat(off.context().getRoutes()).extracting(route -> route.getRouteId())
                    .contains("consume-conversation-events", "consume-transcript-events")
                    .noneMatch(id -> id.startsWith("gateway-"));
        }
    }
}
