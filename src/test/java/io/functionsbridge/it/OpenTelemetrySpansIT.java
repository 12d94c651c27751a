package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Request;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * OpenTelemetry spans (docs/operations.md, "Traces"), with {@code camel.opentelemetry2.enabled} and
 * the host's own tracer (a bean exporting to memory, as a host's SDK would to its collector): one
 * span per event, named by its route, a child of the record's {@code traceparent}, with the function
 * call as its child, the function id, event type and outcome as attributes and nothing of the
 * payload; the function, the command records and the dead letter carry the call's span.
 */
class OpenTelemetrySpansIT extends AbstractBridgeIT {

    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final AttributeKey<String> FUNCTION = AttributeKey.stringKey("functions_bridge.function.id");
    private static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("functions_bridge.event.type");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("functions_bridge.outcome");
    private static final AttributeKey<String> REASON = AttributeKey.stringKey("functions_bridge.dead_letter.reason");

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: greets
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/greets
                    state: deployed
                  - id: fails-twice
                    event: controllerbot_messaging_conversation_end
                    url: %URL%/fails-twice
                    state: deployed
                  - id: down
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/down
                    state: deployed
                  - id: 11111111-0000-4000-8000-000000000002
                    name: command
                    event: conversational_command
                    url: %URL%/command
                    state: deployed
                """;
    }

    @Override
    Map<String, String> properties() {
        return Map.of("camel.opentelemetry2.enabled", "true", "bridge.invoke.backoff-ms", "10");
    }

    @Override
    Map<String, Object> beans() {
        return Map.of("tracer", provider.get("test"), "propagators", ContextPropagators.create(W3CTraceContextPropagator.getInstance()));
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/greets", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"secret greeting\"}]"));
        server.on("/fails-twice", (request, calls) -> calls < 2 ? Response.status(503) : Response.ok("[]"));
        server.on("/down", Response.status(500));
        server.on("/command", Response.ok("\"done\""));
    }

    @AfterAll
    void closeTracer() {
        provider.close();
    }

    @Test
    void anEventIsOneSpanUnderTheRecordsTraceWithTheFunctionCallAsItsChild() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4701";
        handled(1, () -> kafka.send(bridge.events, "conv-spanned", event("CONSUMER_OPEN_NEW_CONVERSATION", "conv-spanned")
                .replace("}}", ",\"private\":\"payload-text\"}}"), Map.of("traceparent", traceparent(traceId))));

        SpanData event = eventSpan(traceId);
        assertThat(event.getName()).isEqualTo("consume-conversation-events");
        assertThat(event.getParentSpanId()).as("a child of the record's span").isEqualTo(CALLER_SPAN);
        assertThat(event.getAttributes().get(FUNCTION)).isEqualTo("greets");
        assertThat(event.getAttributes().get(EVENT_TYPE)).isEqualTo("CONSUMER_OPEN_NEW_CONVERSATION");
        assertThat(event.getAttributes().get(OUTCOME)).isEqualTo("commands");
        List<SpanData> trace = trace(traceId);
        assertThat(trace).extracting(SpanData::getName).containsOnly("consume-conversation-events", "call-function");
        assertThat(trace).as("nothing of the payload or the reply in any span").allSatisfy(span -> assertThat(span.getAttributes().asMap().values())
                .noneMatch(value -> value.toString().contains("payload-text") || value.toString().contains("secret greeting")));

        Request call = functions.requests("/greets").get(0);
        SpanData callSpan = spanOf(trace, call.header("traceparent"));
        assertThat(callSpan.getName()).isEqualTo("call-function");
        assertThat(descendsFrom(trace, callSpan, event)).as("the call is a child of the event").isTrue();
        assertThat(commandsOf("conv-spanned")).singleElement()
                .satisfies(command -> assertThat(command.header("traceparent")).isEqualTo(call.header("traceparent")));
    }

    @Test
    void aRetriedCallIsOneChildWhoseSpanEveryAttemptCarries() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4702";
        handled(1, () -> kafka.send(bridge.events, "conv-retried", event("CONSUMER_END_CONVERSATION", "conv-retried"),
                Map.of("traceparent", traceparent(traceId))));

        List<Request> attempts = functions.requests("/fails-twice").stream().filter(r -> r.body().contains("conv-retried")).toList();
        assertThat(attempts).hasSize(3).extracting(attempt -> attempt.header("traceparent")).containsOnly(attempts.get(0).header("traceparent"));
        SpanData event = eventSpan(traceId);
        assertThat(event.getAttributes().get(OUTCOME)).isEqualTo("no_commands");
        assertThat(spanOf(trace(traceId), attempts.get(0).header("traceparent")).getName()).isEqualTo("call-function");
    }

    @Test
    void aFailedEventsSpanSaysSoAndItsDeadLetterCarriesTheCall() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4703";
        handled(1, () -> kafka.send(bridge.events, "conv-down", event("CONV_AWAITING_IN_QUEUE", "conv-down"),
                Map.of("traceparent", traceparent(traceId))));

        SpanData event = eventSpan(traceId);
        assertThat(event.getAttributes().get(OUTCOME)).isEqualTo("dead_letter");
        assertThat(event.getAttributes().get(REASON)).isEqualTo("FUNCTION_FAILED");
        assertThat(event.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        String sent = functions.requests("/down").stream().filter(r -> r.body().contains("conv-down")).findFirst().orElseThrow()
                .header("traceparent");
        assertThat(awaitNonEmpty(() -> deadLettersOf("conv-down")).get(0).header("traceparent")).isEqualTo(sent);
    }

    @Test
    void anEventThatCallsNoFunctionCarriesItsOwnSpan() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4704";
        handled(1, () -> kafka.send(bridge.events, "conv-unknown", event("NO_SUCH_TYPE", "conv-unknown"),
                Map.of("traceparent", traceparent(traceId))));

        SpanData event = eventSpan(traceId);
        assertThat(trace(traceId)).containsExactly(event);
        assertThat(event.getAttributes().get(REASON)).isEqualTo("UNKNOWN_EVENT_TYPE");
        assertThat(awaitNonEmpty(() -> deadLettersOf("conv-unknown")).get(0).header("traceparent"))
                .isEqualTo("00-" + traceId + "-" + event.getSpanId() + "-01");
    }

    @Test
    void anEventWithoutATraceStartsOne() {
        handled(1, () -> kafka.send(bridge.events, "conv-untraced", event("CONSUMER_OPEN_NEW_CONVERSATION", "conv-untraced")));

        String sent = functions.requests("/greets").stream().filter(r -> r.body().contains("conv-untraced")).findFirst().orElseThrow()
                .header("traceparent");
        String traceId = sent.substring(3, 35);
        SpanData event = eventSpan(traceId);
        assertThat(event.getParentSpanContext().isValid()).as("a root span").isFalse();
        assertThat(event.getName()).isEqualTo("consume-conversation-events");
    }

    @Test
    void aGatewayRequestsSpanHasTheFunctionCallAsItsChild() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4705";
        GatewayClient.Answer answer = new GatewayClient(bridge.gatewayUrl()).post(
                "/api/account/local/lambdas/11111111-0000-4000-8000-000000000002/invoke?v=1",
                GatewayClient.envelope("{\"conversationId\":\"conv-gateway\"}"), "traceparent", traceparent(traceId));
        assertThat(answer.status()).isEqualTo(200);

        Request call = functions.requests("/command").get(0);
        assertThat(call.header("traceparent")).contains(traceId);
        List<SpanData> trace = Awaitility.await().atMost(PATIENCE).until(() -> trace(traceId),
                spans -> spans.stream().anyMatch(span -> span.getParentSpanId().equals(CALLER_SPAN)));
        SpanData request = trace.stream().filter(span -> span.getParentSpanId().equals(CALLER_SPAN)).findFirst().orElseThrow();
        assertThat(descendsFrom(trace, spanOf(trace, call.header("traceparent")), request)).isTrue();
    }

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + CALLER_SPAN + "-01";
    }

    private List<SpanData> trace(String traceId) {
        return spans.getFinishedSpanItems().stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    /** The event's span, once it has ended. */
    private SpanData eventSpan(String traceId) {
        return Awaitility.await().atMost(PATIENCE).until(() -> trace(traceId).stream()
                .filter(span -> span.getName().startsWith("consume-")).findFirst().orElse(null), span -> span != null);
    }

    private static SpanData spanOf(List<SpanData> trace, String traceparent) {
        return trace.stream().filter(span -> traceparent.equals("00-" + span.getTraceId() + "-" + span.getSpanId() + "-01"))
                .findFirst().orElseThrow(() -> new AssertionError(traceparent + " is no span of " + trace));
    }

    private static boolean descendsFrom(List<SpanData> trace, SpanData span, SpanData ancestor) {
        for (SpanData at = span; at != null; ) {
            if (at.getParentSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
            String parent = at.getParentSpanId();
            at = trace.stream().filter(each -> each.getSpanId().equals(parent)).findFirst().orElse(null);
        }
        return false;
    }
}
