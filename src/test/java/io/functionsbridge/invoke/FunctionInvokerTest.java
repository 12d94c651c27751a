package io.functionsbridge.invoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.event.EventReader;
import io.vertx.core.http.HttpClosedException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FunctionInvokerTest {

    private final FunctionInvoker invoker = new FunctionInvoker();

    {
        invoker.setDefaultTimeoutMs(5000);
        invoker.setMaxReplyBytes(64);
    }

    private static BridgeEvent event(Integer timeoutMs) {
        BridgeEvent event = new EventReader().read("events", 0, 5L, null,
                "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"c\"}}".getBytes(StandardCharsets.UTF_8), null, null);
        event.invocation().setFunction(new FunctionDefinition("fn", "n", "controllerbot_messaging_consumer_step_up", "http://h", true, List.of(), timeoutMs));
        return event;
    }

    private static FunctionCallException status(int code) {
        return new FunctionCallException("fn", code);
    }

    @Test
    void retriesTransportFailuresAndTheRetryableStatuses() {
        assertThat(invoker.isRetryableKind(new ConnectException("refused"))).isTrue();
        assertThat(invoker.isRetryableKind(new TimeoutException())).isTrue();
        assertThat(invoker.isRetryableKind(new IllegalStateException("wrapped", new SocketException("Connection reset")))).isTrue();
        assertThat(invoker.isRetryableKind(new HttpClosedException("Connection was closed"))).isTrue();
        for (int code : new int[] {500, 502, 503, 504, 599, 408, 429, 901}) {
            assertThat(invoker.isRetryableKind(status(code))).as(String.valueOf(code)).isTrue();
        }
        for (int code : new int[] {400, 401, 403, 404, 422, 302, 600}) {
            assertThat(invoker.isRetryableKind(status(code))).as(String.valueOf(code)).isFalse();
        }
    }

    @Test
    void theRetryableStatusesAreASetting() {
        invoker.setRetryableStatuses(" 503, 4XX ");
        assertThat(invoker.getRetryableStatuses()).isEqualTo("503,4xx");
        assertThat(invoker.isRetryableKind(status(503))).isTrue();
        assertThat(invoker.isRetryableKind(status(404))).isTrue();
        assertThat(invoker.isRetryableKind(status(500))).isFalse();
        assertThat(invoker.isRetryableKind(new ConnectException("refused"))).as("transport failures whatever the list").isTrue();
        invoker.setRetryableStatuses("");
        assertThat(invoker.isRetryableKind(status(503))).isFalse();
        assertThatThrownBy(() -> invoker.setRetryableStatuses("5xx,42"))
                .hasMessageContaining("'42' is neither an HTTP status (429) nor a class of them (5xx)");
    }

    @Test
    void aFailureOfTheBridgeItselfIsABridgeErrorAtOnce() {
        BridgeEvent event = event(null);
        invoker.attempt(event);
        NullPointerException bug = new NullPointerException("url of http://user:secret@h is null");
        assertThat(invoker.isRetryableKind(bug)).isFalse();
        invoker.rejected(event, bug);
        assertThat(event.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.BRIDGE_ERROR);
        assertThat(event.outcome().getDeadLetterMessage())
                .isEqualTo("calling function fn: java.lang.NullPointerException: url of http://***@h is null")
                .doesNotContain("secret");
    }

    @Test
    void theEnvelopeCarriesThePayloadAndTheTimeoutIsTheFunctionsOrTheDefault() throws Exception {
        BridgeEvent event = event(1500);
        byte[] first = invoker.attempt(event);
        JsonNode envelope = new ObjectMapper().readTree(first);
        assertThat(envelope.path("timestamp").isNumber()).isTrue();
        assertThat(envelope.path("headers").isArray()).isTrue();
        assertThat(envelope.path("headers").size()).isZero();
        assertThat(envelope.path("payload").path("general").path("cbotEventType").asText()).isEqualTo("CONSUMER_STEP_UP");
        assertThat(event.invocation().getTimeoutMs()).isEqualTo(1500);
        assertThat(event.invocation().getAttempts()).isEqualTo(1);
        assertThat(invoker.attempt(event)).as("every attempt sends the same envelope").isSameAs(first);
        assertThat(event.invocation().getAttempts()).isEqualTo(2);

        BridgeEvent defaulted = event(null);
        invoker.attempt(defaulted);
        assertThat(defaulted.invocation().getTimeoutMs()).isEqualTo(5000);
    }

    @Test
    void theRequestIdIsTheSameForTheSameRecordAndFunction() {
        BridgeEvent first = event(null);
        BridgeEvent again = event(null);
        invoker.attempt(first);
        invoker.attempt(again);
        assertThat(first.invocation().getRequestId()).isEqualTo(again.invocation().getRequestId());
    }

    @Test
    void failuresSayWhatHappenedWithoutTheUrl() {
        BridgeEvent failed = event(800);
        for (int i = 0; i < 4; i++) {
            invoker.attempt(failed);
        }
        invoker.failed(failed, new TimeoutException("after 800 ms for http://user:secret@h"));
        assertThat(failed.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.FUNCTION_FAILED);
        assertThat(failed.outcome().getDeadLetterMessage()).isEqualTo("function fn timed out after 800 ms (after 4 attempts)");

        BridgeEvent rejected = event(null);
        invoker.attempt(rejected);
        invoker.rejected(rejected, status(404));
        assertThat(rejected.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.FUNCTION_REJECTED);
        assertThat(rejected.outcome().getDeadLetterMessage()).isEqualTo("function fn answered HTTP 404");

        invoker.completed(rejected, "[]".getBytes(StandardCharsets.UTF_8));
        assertThat(rejected.invocation().isReplied()).as("a failed call keeps no reply").isFalse();
    }

    @Test
    void aReplyOverTheCapIsAnInvalidReplyAndNotKept() {
        BridgeEvent event = event(null);
        invoker.attempt(event);
        invoker.attempt(event);
        invoker.completed(event, new byte[65]);
        assertThat(event.invocation().isReplied()).isFalse();
        assertThat(event.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.INVALID_REPLY);
        assertThat(event.outcome().getDeadLetterMessage()).contains("reply of 65 bytes exceeds the cap of 64 bytes");

        BridgeEvent small = event(null);
        invoker.attempt(small);
        invoker.completed(small, new byte[64]);
        assertThat(small.invocation().isReplied()).isTrue();
    }
}
