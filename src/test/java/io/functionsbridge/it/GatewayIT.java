package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway (docs/contract.md, "The gateway"): the platform's invoke API over a real HTTP
 * client, against the shipped routes and real local functions. Without tokens, no credentials are
 * asked (GatewayAuthIT has them).
 */
class GatewayIT extends AbstractBridgeIT {

    private static final String COMMAND = "/api/account/local/events/conversational_command";
    private GatewayClient gateway;

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: 11111111-0000-4000-8000-000000000001
                    name: echo-command
                    event: conversational_command
                    url: %URL%/echo
                    state: deployed
                  - id: 11111111-0000-4000-8000-000000000002
                    name: answer-command
                    event: conversational_command
                    url: %URL%/answer
                    state: deployed
                  - id: 22222222-0000-4000-8000-000000000001
                    name: pre-hook-down
                    event: bot_connectors_pre_hook
                    url: %URL%/down
                    state: deployed
                  - id: 22222222-0000-4000-8000-000000000002
                    name: post-hook-refuses
                    event: bot_connectors_post_hook
                    url: %URL%/refuses
                    state: deployed
                  - id: 22222222-0000-4000-8000-000000000003
                    name: error-hook-not-json
                    event: bot_connectors_error_hook
                    url: %URL%/not-json
                    state: deployed
                  - id: 22222222-0000-4000-8000-000000000004
                    name: error-hook-retired
                    event: bot_connectors_error_hook
                    url: %URL%/echo
                    state: undeployed
                  - id: 22222222-0000-4000-8000-000000000005
                    name: custom-slow
                    event: bot_connectors_custom_integration
                    url: %URL%/slow
                    state: deployed
                  - id: 22222222-0000-4000-8000-000000000006
                    name: custom-breaks
                    event: bot_connectors_custom_integration
                    url: %URL%/breaks
                    state: deployed
                  - id: 33333333-0000-4000-8000-000000000001
                    name: survey-vip
                    event: surveybot_messaging_survey_started
                    url: %URL%/echo
                    state: deployed
                    skills: ["77"]
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.gateway.timeout-ms", "1500", "bridge.gateway.max-request-bytes", "4096",
                "bridge.circuit-breaker.minimum-calls", "2", "bridge.circuit-breaker.window-size", "2");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        // a conversational command's result is a string: the arguments, echoed
        server.onRequest("/echo", request -> Response.ok(JSON.valueToTree("echo: " + json(request.body()).path("payload").path("arguments")).toString())
                .after(100));
        server.on("/answer", Response.ok("42"));
        server.on("/down", Response.status(503));
        server.on("/refuses", Response.status(400));
        server.on("/not-json", Response.ok("<html>oops</html>"));
        server.on("/slow", Response.ok("\"late\"").after(3000));
        server.on("/breaks", Response.status(500));
    }

    @BeforeAll
    void client() {
        gateway = new GatewayClient(bridge.gatewayUrl());
    }

    private static String command(String... arguments) {
        return GatewayClient.envelope("{\"conversationId\":\"conv-77\",\"arguments\":" + JSON.valueToTree(arguments) + "}");
    }

    @Test
    void invokesALambdaByItsUuidAndAnswersItsResultAsItIs() {
        int before = functions.calls("/answer");
        GatewayClient.Answer answer = gateway.post("/api/account/local/lambdas/11111111-0000-4000-8000-000000000002/invoke?v=1"
                + "&externalSystem=agent-workspace", command("a"), "X-Request-ID", "req-42", "LP-EventSource", "agent-workspace",
                "User-Agent", "lp-faas-client/1.0");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("42");
        assertThat(answer.headers().get("content-type")).containsExactly("application/json");
        // no header of the request comes back
        assertThat(answer.headers()).doesNotContainKeys("x-request-id", "lp-eventsource", "authorization");
        LocalFunctionServer.Request call = functions.requests("/answer").get(before);
        assertThat(call.header("X-Request-ID")).isEqualTo("req-42");
        assertThat(call.header("LP-EventSource")).isNull();
        JsonNode sent = json(call.body());
        assertThat(sent.path("timestamp").isNumber()).isTrue();
        assertThat(sent.path("headers").isArray()).isTrue();
        assertThat(sent.path("payload")).isEqualTo(json("{\"conversationId\":\"conv-77\",\"arguments\":[\"a\"]}"));
    }

    @Test
    void theFunctionGetsTheEnvelopeAsTheCallerSentItAndAMissingTimestampFilledIn() {
        String lambda = "/api/account/local/lambdas/11111111-0000-4000-8000-000000000002/invoke?v=1";
        // what Jackson would write differently: spacing, a number's form, an escaped character
        String envelope = "{ \"timestamp\": 1700000000123, \"headers\": [{\"key\": \"X-Caller\", \"value\": \"crm\"}],\n"
                + "  \"payload\": {\"conversationId\" : \"conv-77\", \"amount\": 1.50, \"name\": \"Ren\\u00e9e\"} }";
        int before = functions.calls("/answer");
        assertThat(gateway.post(lambda, envelope).status()).isEqualTo(200);
        assertThat(functions.requests("/answer").get(before).body()).isEqualTo(envelope);

        long now = System.currentTimeMillis();
        String untimed = "{\"headers\": [], \"payload\": {\"amount\": 1.50}}";
        assertThat(gateway.post(lambda, untimed).status()).isEqualTo(200);
        String sent = functions.requests("/answer").get(before + 1).body();
        assertThat(sent).endsWith(untimed.substring(1)).startsWith("{\"timestamp\":");
        assertThat(json(sent).path("timestamp").asLong()).isBetween(now - 1000, now + 60_000);
    }

    @Test
    void invokesEveryFunctionOfAnEventAtOnceAndAnswersEachResult() {
        GatewayClient.Answer answer = gateway.post(COMMAND + "/invoke?v=1&skillId=", command("x", "y"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        JsonNode results = answer.json();
        assertThat(results).hasSize(2);
        assertThat(results.get(0).path("uuid").asText()).isEqualTo("11111111-0000-4000-8000-000000000001");
        assertThat(results.get(0).path("result").asText()).isEqualTo("echo: [\"x\",\"y\"]");
        assertThat(results.get(0).path("timestamp").asLong()).isPositive();
        assertThat(results.get(1).path("uuid").asText()).isEqualTo("11111111-0000-4000-8000-000000000002");
        assertThat(results.get(1).path("result").asInt()).isEqualTo(42);
        // one failing function: its entry says why, the others answer
        JsonNode hooks = gateway.post("/api/account/local/events/bot_connectors_error_hook/invoke?v=1", GatewayClient.envelope("{}")).json();
        assertThat(hooks).hasSize(1);
        assertThat(hooks.get(0).path("errorCode").asText()).isEqualTo("INVALID_REPLY");
        assertThat(hooks.get(0).has("result")).isFalse();
    }

    @Test
    void saysWhetherAnEventIsImplementedForASkill() {
        assertThat(gateway.get(COMMAND + "/isImplemented?v=1").json().path("implemented").asBoolean()).isTrue();
        String survey = "/api/account/local/events/surveybot_messaging_survey_started/isImplemented?v=1&skillId=";
        assertThat(gateway.get(survey + "77").json().path("implemented").asBoolean()).isTrue();
        assertThat(gateway.get(survey + "78").json().path("implemented").asBoolean()).isFalse();
        assertThat(gateway.get(survey).json().path("implemented").asBoolean()).as("an empty skillId is no skill").isFalse();
        // only an undeployed function and one other: deployed ones count
        assertThat(gateway.get("/api/account/local/events/bot_connectors_post_hook/isImplemented?v=1").json().path("implemented").asBoolean()).isTrue();
        assertThat(gateway.get("/api/account/local/events/bot_connectors_custom_integration/isImplemented?v=1").status()).isEqualTo(200);
        assertThat(gateway.get("/api/account/local/events/chat_end/isImplemented?v=1").json().path("implemented").asBoolean()).isFalse();
    }

    @Test
    void refusesWhatItCannotServeWithTheContractsStatusesAndCodes() {
        int before = functions.calls("/answer");
        String lambda = "/api/account/local/lambdas/11111111-0000-4000-8000-000000000002/invoke?v=1";
        expect(gateway.post("/api/account/other/lambdas/11111111-0000-4000-8000-000000000002/invoke?v=1", command()), 404, "UNKNOWN_ACCOUNT");
        expect(gateway.post("/api/account/local/lambdas/99999999-0000-4000-8000-000000000000/invoke?v=1", command()), 404, "UNKNOWN_LAMBDA");
        expect(gateway.post("/api/account/local/lambdas/22222222-0000-4000-8000-000000000004/invoke?v=1", command()), 404, "LAMBDA_NOT_DEPLOYED");
        expect(gateway.post("/api/account/local/events/no_such_event/invoke?v=1", command()), 404, "UNKNOWN_EVENT");
        expect(gateway.get("/api/account/local/events/no_such_event/isImplemented?v=1"), 404, "UNKNOWN_EVENT");
        expect(gateway.post(lambda, "not json"), 400, "INVALID_REQUEST");
        expect(gateway.post(lambda, "{\"conversationId\":\"c\"}"), 400, "INVALID_REQUEST");
        expect(gateway.post(lambda, "{\"timestamp\":\"yesterday\",\"payload\":{}}"), 400, "INVALID_REQUEST");
        expect(gateway.post(lambda.replace("v=1", "v=2"), command()), 400, "UNSUPPORTED_VERSION");
        GatewayClient.Answer tooLarge = gateway.post(lambda, GatewayClient.envelope("\"" + "x".repeat(5000) + "\""));
        expect(tooLarge, 413, "REQUEST_TOO_LARGE");
        assertThat(functions.calls("/answer")).as("no refused request reached the function").isEqualTo(before);
    }

    @Test
    void aFunctionThatFailsIsRetriedWithinTheDeadlineThen502Or504() {
        int before = functions.calls("/down");
        expect(gateway.post("/api/account/local/lambdas/22222222-0000-4000-8000-000000000001/invoke?v=1", command()), 502, "FUNCTION_FAILED");
        assertThat(functions.calls("/down") - before).as("1 call and 3 retries").isEqualTo(4);
        expect(gateway.post("/api/account/local/lambdas/22222222-0000-4000-8000-000000000002/invoke?v=1", command()), 502, "FUNCTION_REJECTED");
        assertThat(functions.calls("/refuses")).as("a 400 is not retried").isEqualTo(1);
        long start = System.nanoTime();
        expect(gateway.post("/api/account/local/lambdas/22222222-0000-4000-8000-000000000005/invoke?v=1", command()), 504, "TIMEOUT");
        assertThat((System.nanoTime() - start) / 1_000_000).as("answered at the deadline of 1500 ms").isBetween(1400L, 2900L);
    }

    @Test
    void anOpenCircuitBreakerAnswers503WithoutACall() {
        String breaks = "/api/account/local/lambdas/22222222-0000-4000-8000-000000000006/invoke?v=1";
        expect(gateway.post(breaks, command()), 502, "FUNCTION_FAILED");
        expect(gateway.post(breaks, command()), 502, "FUNCTION_FAILED");
        int calls = functions.calls("/breaks");
        expect(gateway.post(breaks, command()), 503, "CIRCUIT_OPEN");
        assertThat(functions.calls("/breaks")).isEqualTo(calls);
    }

    @Test
    void answersAHundredConcurrentInvocationsEachWithItsOwnResult() throws Exception {
        ObjectName echo = new ObjectName("io.functionsbridge:type=Functions,function=\"11111111-0000-4000-8000-000000000001\"");
        long invocationsBefore = (Long) ManagementFactory.getPlatformMBeanServer().getAttribute(echo, "Invocations");
        List<CompletableFuture<GatewayClient.Answer>> answers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            answers.add(gateway.postAsync("/api/account/local/lambdas/11111111-0000-4000-8000-000000000001/invoke?v=1", command("n" + i)));
        }
        for (int i = 0; i < 100; i++) {
            GatewayClient.Answer answer = answers.get(i).get();
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.json().asText()).isEqualTo("echo: [\"n" + i + "\"]");
        }
        // counted like any invocation: the function's MBean and the metrics
        assertThat((Long) ManagementFactory.getPlatformMBeanServer().getAttribute(echo, "Invocations") - invocationsBefore).isEqualTo(100);
        assertThat(new Management(bridge.managementUrl()).metric("functions_bridge_invocations_total",
                "function", "11111111-0000-4000-8000-000000000001", "result", "ok")).isGreaterThanOrEqualTo(100);
    }

    private static void expect(GatewayClient.Answer answer, int status, String errorCode) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().get("content-type")).containsExactly("application/json");
        assertThat(answer.errorCode()).isEqualTo(errorCode);
        assertThat(answer.json().path("errorMsg").asText()).isNotBlank();
    }
}
