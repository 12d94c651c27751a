package io.functionsbridge.invoke;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.DeadLetterReason;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.event.EventReader;
import java.net.ConnectException;
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
        event.setFunction(new FunctionDefinition("fn", "n", "controllerbot_messaging_consumer_step_up", "http://h", true, List.of(), timeoutMs));
        return event;
    }

    private static FunctionCallException status(int code) {
        return new FunctionCallException("fn", code);
    }

    @Test
    void retriesConnectionFailuresTimeoutsAndTheRetryableStatuses() {
        assertThat(FunctionInvoker.isRetryableKind(new ConnectException("refused"))).isTrue();
        assertThat(FunctionInvoker.isRetryableKind(new TimeoutException())).isTrue();
        for (int code : new int[] {500, 502, 503, 504, 408, 429, 901}) {
            assertThat(FunctionInvoker.isRetryableKind(status(code))).as(String.valueOf(code)).isTrue();
        }
        for (int code : new int[] {400, 401, 403, 404, 422, 302}) {
            assertThat(FunctionInvoker.isRetryableKind(status(code))).as(String.valueOf(code)).isFalse();
        }
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
        assertThat(event.getTimeoutMs()).isEqualTo(1500);
        assertThat(event.getAttempts()).isEqualTo(1);
        assertThat(invoker.attempt(event)).as("every attempt sends the same envelope").isSameAs(first);
        assertThat(event.getAttempts()).isEqualTo(2);

        BridgeEvent defaulted = event(null);
        invoker.attempt(defaulted);
        assertThat(defaulted.getTimeoutMs()).isEqualTo(5000);
    }

    @Test
    void theRequestIdIsTheSameForTheSameRecordAndFunction() {
        BridgeEvent first = event(null);
        BridgeEvent again = event(null);
        invoker.attempt(first);
        invoker.attempt(again);
        assertThat(first.getRequestId()).isEqualTo(again.getRequestId());
    }

    @Test
    void failuresSayWhatHappenedWithoutTheUrl() {
        BridgeEvent failed = event(800);
        for (int i = 0; i < 4; i++) {
            invoker.attempt(failed);
        }
        invoker.failed(failed, new TimeoutException("after 800 ms for http://user:secret@h"));
        assertThat(failed.getDeadLetterReason()).isEqualTo(DeadLetterReason.FUNCTION_FAILED);
        assertThat(failed.getDeadLetterMessage()).isEqualTo("function fn timed out after 800 ms (after 4 attempts)");

        BridgeEvent rejected = event(null);
        invoker.attempt(rejected);
        invoker.rejected(rejected, status(404));
        assertThat(rejected.getDeadLetterReason()).isEqualTo(DeadLetterReason.FUNCTION_REJECTED);
        assertThat(rejected.getDeadLetterMessage()).isEqualTo("function fn answered HTTP 404");

        invoker.completed(rejected, "[]".getBytes(StandardCharsets.UTF_8));
        assertThat(rejected.isReplied()).as("a failed call keeps no reply").isFalse();
    }

    @Test
    void aReplyOverTheCapIsAnInvalidReplyAndNotKept() {
        BridgeEvent event = event(null);
        invoker.attempt(event);
        invoker.attempt(event);
        invoker.completed(event, new byte[65]);
        assertThat(event.isReplied()).isFalse();
        assertThat(event.getDeadLetterReason()).isEqualTo(DeadLetterReason.INVALID_REPLY);
        assertThat(event.getDeadLetterMessage()).contains("reply of 65 bytes exceeds the cap of 64 bytes");

        BridgeEvent small = event(null);
        invoker.attempt(small);
        invoker.completed(small, new byte[64]);
        assertThat(small.isReplied()).isTrue();
    }
}
