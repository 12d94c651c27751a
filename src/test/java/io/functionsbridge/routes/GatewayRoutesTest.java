package io.functionsbridge.routes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.BridgeEvent;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConstants;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.Test;

/**
 * The gateway's routes, fast: the shipped gateway.camel.yaml and beans, a request handed to its
 * routes as platform-http hands it (path parameters and request headers as message headers, the
 * caller's address, the body as bytes), the function call a stand-in (as in {@link RoutesTest}).
 * What crosses HTTP is GatewayIT's.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "file:application.properties",
        properties = {
            "kafka.brokers=127.0.0.1:9",
            "bridge.functions.file=src/test/resources/route-tests/functions.yaml",
            "bridge.auto-messages.file=src/test/resources/route-tests/auto-messages.yaml",
            "bridge.invoke.backoff-ms=1",
            "bridge.invoke.max-backoff-ms=2",
            "camel.management.enabled=false",
            "camel.server.port=0",
            "bridge.reload.enabled=false"
        },
        replaceRouteFromWith = {
            "consume-conversation-events=direct:conversation-events",
            "consume-chat-events=direct:chat-events",
            "consume-transcript-events=direct:transcript-events",
            "consume-survey-events=direct:survey-events",
            // the REST DSL inlines each gateway route into the REST route that calls it: its
            // platform-http consumer becomes a direct one
            "gateway-invoke-lambda=direct:invoke-lambda",
            "gateway-is-implemented=direct:is-implemented"
        },
        mockEndpointsAndSkip = "kafka:*")
class GatewayRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Produce
    ProducerTemplate template;

    @ReplaceInRegistry
    Object functionCalls = new RoutesTest.StandInFunctions();

    private Exchange request(String route, Map<String, Object> headers, String body) {
        return template.send(route, exchange -> {
            exchange.getMessage().setHeaders(new HashMap<>(headers));
            exchange.getMessage().setBody(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        });
    }

    private static Map<String, Object> fromThisHost(Map<String, Object> headers) {
        Map<String, Object> all = new HashMap<>(headers);
        all.put(VertxPlatformHttpConstants.REMOTE_ADDRESS, SocketAddress.inetSocketAddress(50_000, "127.0.0.1"));
        all.put("account", "local");
        all.put("v", "1");
        return all;
    }

    private static int status(Exchange answer) {
        return answer.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    private static JsonNode body(Exchange answer) throws Exception {
        return JSON.readTree(answer.getMessage().getBody(byte[].class));
    }

    @Test
    void aLambdaIsCalledWithTheEnvelopeAsSentAndItsReplyIsTheAnswer() throws Exception {
        String envelope = "{\"timestamp\": 5, \"headers\": [{\"key\":\"k\",\"value\":\"v\"}], \"payload\": {\"amount\": 1.50}}";
        Exchange answer = request("direct:invoke-lambda",
                fromThisHost(Map.of("uuid", "replies-three-commands", "traceparent", TRACEPARENT, "X-Request-ID", "req-1")), envelope);

        assertThat(status(answer)).isEqualTo(200);
        assertThat(body(answer).get(2).path("text").asText()).isEqualTo("hello");
        assertThat(answer.getMessage().getHeaders()).as("none of the request's headers goes back")
                .containsOnlyKeys(Exchange.HTTP_RESPONSE_CODE, Exchange.CONTENT_TYPE);
        BridgeEvent event = answer.getProperty(BridgeEvent.PROPERTY, BridgeEvent.class);
        assertThat(new String(event.invocation().getEnvelope(), StandardCharsets.UTF_8)).isEqualTo(envelope);
        assertThat(event.invocation().getRequestId()).isEqualTo("req-1");
        assertThat(event.trace().traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void aCallerNotShownToBeOnThisHostIsRefusedWhenNoCredentialsAreAsked() throws Exception {
        Exchange answer = request("direct:invoke-lambda", Map.of("account", "local", "uuid", "replies-three-commands"),
                "{\"payload\": {}}");

        assertThat(status(answer)).isEqualTo(401);
        assertThat(body(answer).path("errorCode").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(answer.getMessage().getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    }

    @Test
    void refusalsAnswerTheirStatusAndErrorCode() throws Exception {
        Exchange unknown = request("direct:invoke-lambda", fromThisHost(Map.of("uuid", "no-such-lambda")), "{\"payload\": {}}");
        assertThat(status(unknown)).isEqualTo(404);
        assertThat(body(unknown).path("errorCode").asText()).isEqualTo("UNKNOWN_LAMBDA");

        Exchange notAnEnvelope = request("direct:invoke-lambda", fromThisHost(Map.of("uuid", "replies-three-commands")), "[1]");
        assertThat(status(notAnEnvelope)).isEqualTo(400);
        assertThat(body(notAnEnvelope).path("errorCode").asText()).isEqualTo("INVALID_REQUEST");

        Exchange failing = request("direct:invoke-lambda", fromThisHost(Map.of("uuid", "fails")), "{\"payload\": {}}");
        assertThat(status(failing)).isEqualTo(502);
        assertThat(body(failing).path("errorCode").asText()).isEqualTo("FUNCTION_FAILED");
    }

    @Test
    void isImplementedSaysWhetherAFunctionIsDeployedOnTheEvent() throws Exception {
        Exchange chat = request("direct:is-implemented", fromThisHost(Map.of("eventId", "chat_start")), null);
        assertThat(status(chat)).isEqualTo(200);
        assertThat(body(chat).path("implemented").asBoolean()).isTrue();

        Exchange none = request("direct:is-implemented", fromThisHost(Map.of("eventId", "chat_end")), null);
        assertThat(body(none).path("implemented").asBoolean()).isFalse();
    }
}
