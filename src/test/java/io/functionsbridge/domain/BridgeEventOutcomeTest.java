package io.functionsbridge.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How an event's outcome and its invocation's result are named in the metrics (docs/contract.md). */
class BridgeEventOutcomeTest {

    private static BridgeEvent event() {
        return new BridgeEvent(BridgeEvent.Channel.MESSAGING, "t", 0, 1L, null, new byte[0]);
    }

    private static BridgeEvent invoked(int attempts) {
        BridgeEvent event = event();
        for (int i = 0; i < attempts; i++) {
            event.countAttempt();
        }
        return event;
    }

    @Test
    void anEventWithoutACallHasNoInvocationResult() {
        assertThat(event().invocationResult()).isNull();
        BridgeEvent refused = event();
        refused.deadLetter(DeadLetterReason.MALFORMED_JSON, "x");
        assertThat(refused.invocationResult()).isNull();
    }

    @Test
    void aCalledFunctionsResultFollowsItsDeadLetter() {
        assertThat(invoked(1).invocationResult()).isEqualTo("ok");
        BridgeEvent failed = invoked(4);
        failed.deadLetter(DeadLetterReason.FUNCTION_FAILED, "HTTP 503");
        assertThat(failed.invocationResult()).isEqualTo("failed");
        BridgeEvent rejected = invoked(1);
        rejected.deadLetter(DeadLetterReason.FUNCTION_REJECTED, "HTTP 400");
        assertThat(rejected.invocationResult()).isEqualTo("rejected");
        BridgeEvent invalid = invoked(1);
        invalid.deadLetter(DeadLetterReason.INVALID_REPLY, "not JSON");
        assertThat(invalid.invocationResult()).isEqualTo("invalid_reply");
    }

    @Test
    void anOpenBreakerIsCircuitOpenWithoutACall() {
        BridgeEvent event = event();
        event.circuitOpen("circuit open");
        assertThat(event.invocationResult()).isEqualTo("circuit_open");
        assertThat(event.getDeadLetterReason()).isEqualTo(DeadLetterReason.FUNCTION_FAILED);
        assertThat(event.getAttempts()).isZero();
    }

    @Test
    void theOutcomeIsTheDeadLetterFirstThenWhetherCommandsAreWritten() {
        assertThat(event().outcome()).isEqualTo("no_commands");
        BridgeEvent withCommands = event();
        withCommands.getCommands().add(Command.closeConversation());
        assertThat(withCommands.outcome()).isEqualTo("commands");
        withCommands.deadLetter(DeadLetterReason.INVALID_REPLY, "bad transfer");
        assertThat(withCommands.outcome()).isEqualTo("dead_letter");
    }
}
