package io.functionsbridge.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an event's outcome and its invocation's result are named in the metrics (docs/contract.md). */
class BridgeEventOutcomeTest {

    private static BridgeEvent event() {
        return new BridgeEvent(new EventRecord("messaging", EventRecord.CBOT_EVENT_TYPE, "t", 0, 1L, null, new byte[0], Map.of(),
                "CONSUMER_STEP_UP", "c", null, 0, 0, null));
    }

    private static BridgeEvent invoked(int attempts) {
        BridgeEvent event = event();
        for (int i = 0; i < attempts; i++) {
            event.invocation().countAttempt();
        }
        return event;
    }

    @Test
    void anEventWithoutACallHasNoInvocationResult() {
        assertThat(event().invocationResult()).isNull();
        BridgeEvent refused = event();
        refused.outcome().deadLetter(DeadLetterReason.MALFORMED_JSON, "x");
        assertThat(refused.invocationResult()).isNull();
    }

    @Test
    void aCalledFunctionsResultFollowsItsDeadLetter() {
        assertThat(invoked(1).invocationResult()).isEqualTo(InvocationResult.OK);
        BridgeEvent failed = invoked(4);
        failed.outcome().deadLetter(DeadLetterReason.FUNCTION_FAILED, "HTTP 503");
        assertThat(failed.invocationResult()).isEqualTo(InvocationResult.FAILED);
        BridgeEvent rejected = invoked(1);
        rejected.outcome().deadLetter(DeadLetterReason.FUNCTION_REJECTED, "HTTP 400");
        assertThat(rejected.invocationResult()).isEqualTo(InvocationResult.REJECTED);
        BridgeEvent invalid = invoked(1);
        invalid.outcome().deadLetter(DeadLetterReason.INVALID_REPLY, "not JSON");
        assertThat(invalid.invocationResult()).isEqualTo(InvocationResult.INVALID_REPLY);
        BridgeEvent bug = invoked(1);
        bug.outcome().deadLetter(DeadLetterReason.BRIDGE_ERROR, "NullPointerException");
        assertThat(bug.invocationResult()).as("the bridge's own failure is not the function's").isEqualTo(InvocationResult.BRIDGE_ERROR);
        assertThat(InvocationResult.BRIDGE_ERROR.label()).isEqualTo("bridge_error");
    }

    @Test
    void anOpenBreakerIsCircuitOpenWithoutACall() {
        BridgeEvent event = event();
        event.circuitOpen("circuit open");
        assertThat(event.invocationResult()).isEqualTo(InvocationResult.CIRCUIT_OPEN);
        assertThat(event.outcome().getDeadLetterReason()).isEqualTo(DeadLetterReason.FUNCTION_FAILED);
        assertThat(event.invocation().getAttempts()).isZero();
    }

    @Test
    void theOutcomeIsTheDeadLetterFirstThenWhetherCommandsWereWritten() {
        assertThat(event().outcomeLabel()).isEqualTo("no_commands");
        BridgeEvent withCommands = event();
        withCommands.outcome().getCommands().add(Command.closeConversation());
        assertThat(withCommands.outcomeLabel()).as("a command not written counts for nothing").isEqualTo("no_commands");
        withCommands.outcome().written(Command.closeConversation());
        assertThat(withCommands.outcomeLabel()).isEqualTo("commands");
        withCommands.outcome().deadLetter(DeadLetterReason.INVALID_REPLY, "bad transfer");
        assertThat(withCommands.outcomeLabel()).isEqualTo("dead_letter");
    }
}
