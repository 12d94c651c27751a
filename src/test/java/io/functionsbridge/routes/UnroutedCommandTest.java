package io.functionsbridge.routes;

import static io.functionsbridge.routes.RouteTestRecords.messagingEvent;
import static io.functionsbridge.routes.RouteTestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.event.EventReader;
import io.functionsbridge.output.OutcomeLog;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.camel.BeanInject;
import org.apache.camel.EndpointInject;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.ToDefinition;
import org.apache.camel.model.WhenDefinition;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.junit.jupiter.api.Test;

/**
 * A command type without a route in {@code consume-conversation-events} (here the transfer's
 * {@code when} taken out of the shipped route, as an edit that forgets one would) is an error the
 * event's dead letter names, never dropped in silence; the commands before it are written.
 */
@CamelMainTest(
        propertyPlaceholderLocations = "file:application.properties",
        properties = {
            "kafka.brokers=127.0.0.1:9",
            "bridge.functions.file=src/test/resources/route-tests/functions.yaml",
            "bridge.auto-messages.file=src/test/resources/route-tests/auto-messages.yaml",
            "camel.management.enabled=false",
            "camel.server.port=0",
            "bridge.reload.enabled=false"
        },
        replaceRouteFromWith = "consume-conversation-events=direct:conversation-events",
        advices = @AdviceRouteMapping(route = "consume-conversation-events", advice = UnroutedCommandTest.WithoutTransferRoute.class),
        mockEndpointsAndSkip = "kafka:*")
class UnroutedCommandTest {

    @EndpointInject("mock:kafka:conversation-commands")
    MockEndpoint commands;

    @EndpointInject("mock:kafka:conversation-events.dlq")
    MockEndpoint deadLetters;

    @BeanInject("conversationEvents")
    EventReader conversationEvents;

    @Produce
    ProducerTemplate template;

    @ReplaceInRegistry
    Object functionCalls = new RoutesTest.StandInFunctions();

    /** Takes the {@code when} that sends transfers to their route out of the command choice. */
    public static class WithoutTransferRoute extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            ChoiceDefinition commandChoice = find(getOriginalRoute().getOutputs());
            commandChoice.getWhenClauses().removeIf(when -> when.getOutputs().stream()
                    .anyMatch(step -> step instanceof ToDefinition to && to.getUri().equals("direct:command-transfer")));
        }

        private static ChoiceDefinition find(List<ProcessorDefinition<?>> steps) {
            for (ProcessorDefinition<?> step : steps) {
                if (step instanceof ChoiceDefinition choice && choice.getWhenClauses().stream().map(WhenDefinition::getOutputs)
                        .flatMap(List::stream).anyMatch(out -> out instanceof ToDefinition to && to.getUri().startsWith("direct:command-"))) {
                    return choice;
                }
                ChoiceDefinition inside = find(step.getOutputs());
                if (inside != null) {
                    return inside;
                }
            }
            return null;
        }
    }

    @Test
    void aCommandTypeWithoutARouteEndsInADeadLetterThatNamesIt() {
        BridgeEvent event = RouteTestRecords.send(template, "direct:conversation-events", conversationEvents,
                record("conversation-events", "conv-u1", messagingEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-u1")));

        // the function answered closeConversation, transfer and systemMessage: the systemMessage, first in order, is written
        assertThat(commands.getReceivedExchanges()).extracting(exchange -> new String(exchange.getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .singleElement().asString().contains("\"type\":\"systemMessage\"");
        assertThat(deadLetters.getReceivedExchanges()).singleElement().satisfies(dead -> {
            assertThat(dead.getMessage().getHeader("bridgeErrorReason")).isEqualTo("BRIDGE_ERROR");
            assertThat(dead.getMessage().getHeader("bridgeErrorMessage", String.class)).contains("no route for the command type transfer");
        });
        // the outcome line and the metrics count what was written: the systemMessage alone
        assertThat(event.outcome().getWritten()).extracting(command -> command.type().wireName()).containsExactly("systemMessage");
        assertThat(OutcomeLog.describe(event)).contains("-> systemMessage").doesNotContain("transfer").contains("dead letter BRIDGE_ERROR");
    }
}
