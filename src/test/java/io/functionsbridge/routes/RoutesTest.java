package io.functionsbridge.routes;

import static io.functionsbridge.routes.RouteTestRecords.messagingEvent;
import static io.functionsbridge.routes.RouteTestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.event.EventReader;
import io.functionsbridge.event.SeedEventTable;
import io.functionsbridge.invoke.FunctionCallException;
import io.functionsbridge.invoke.FunctionInvoker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Produce;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.apache.camel.test.main.junit5.ReplaceInRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The shipped routes, loaded as Camel Main loads them, with their edges replaced: events go in
 * through {@code direct:} endpoints instead of the Kafka consumers (read by the shipped readers),
 * records come out in mock endpoints instead of Kafka, and a stand-in answers for the functions.
 * The routing, the command routes, the dead letters and the automatic messages run as shipped; no
 * broker, no HTTP. The integration tests ({@code *IT}) run the same routes on real parts.
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
            "consume-survey-events=direct:survey-events"
        },
        mockEndpointsAndSkip = "kafka:*")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @EndpointInject("mock:kafka:conversation-commands")
    MockEndpoint commands;

    @EndpointInject("mock:kafka:conversation-events.dlq")
    MockEndpoint deadLetters;

    @BeanInject("conversationEvents")
    EventReader conversationEvents;

    @BeanInject("chatEvents")
    EventReader chatEvents;

    @BeanInject("transcriptEvents")
    EventReader transcriptEvents;

    @BeanInject("surveyEvents")
    EventReader surveyEvents;

    @Produce
    ProducerTemplate template;

    @BeanInject
    CamelContext context;

    /**
     * Answers for the functions of route-tests/functions.yaml, in place of the HTTP client: the
     * route's bean step, its redelivery policy and the attempt count stay as shipped.
     */
    @ReplaceInRegistry
    Object functionCalls = new StandInFunctions();

    public static class StandInFunctions {
        public CompletionStage<byte[]> call(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, CamelContext context) {
            context.getRegistry().lookupByNameAndType("functionInvoker", FunctionInvoker.class).attempt(event);
            String reply = switch (event.invocation().getFunctionId()) {
                case "replies-three-commands" -> "[{\"type\":\"closeConversation\"},{\"type\":\"transfer\",\"skillId\":\"s-1\"},"
                        + "{\"type\":\"systemMessage\",\"text\":\"hello\"}]";
                case "fails", "transcript-fails" -> null;
                case "bridge-fails" -> throw new IllegalStateException("a bug of the bridge's own");
                case "transcript-two" -> "[{\"targetEmail\":\"a@example.com\"},{\"targetEmail\":\"b@example.com\",\"subject\":\"B\"}]";
                case "transcript-one-invalid" -> "[{\"targetEmail\":\"c@example.com\"},{\"subject\":\"no target\"}]";
                default -> "[{\"type\":\"systemMessage\",\"text\":\"from " + event.invocation().getFunctionId() + "\"}]";
            };
            return reply == null ? CompletableFuture.failedFuture(new FunctionCallException("fails", 503))
                    : CompletableFuture.completedFuture(reply.getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeEach
    void resetMocks() {
        MockEndpoint.resetMocks(context);
    }

    private BridgeEvent send(String endpoint, EventReader reader, ConsumerRecord<byte[], byte[]> record) {
        return RouteTestRecords.send(template, endpoint, reader, record);
    }

    private void sendEvent(String key, String value) {
        send("direct:conversation-events", conversationEvents, record("conversation-events", key, value));
    }

    private List<JsonNode> commandsOf(String convId) {
        return commands.getReceivedExchanges().stream()
                .filter(exchange -> convId.equals(exchange.getMessage().getHeader(KafkaConstants.KEY)))
                .map(exchange -> json(exchange.getMessage().getBody(byte[].class)))
                .toList();
    }

    private Map<String, Object> deadLetterOf(String key) {
        return deadLetters.getReceivedExchanges().stream()
                .filter(exchange -> key.equals(new String(exchange.getMessage().getHeader(KafkaConstants.KEY, byte[].class), StandardCharsets.UTF_8)))
                .map(exchange -> exchange.getMessage().getHeaders())
                .findFirst().orElseThrow(() -> new AssertionError("no dead letter with key " + key));
    }

    private static JsonNode json(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everyCbotEventTypeOfTheSeedsTableGoesToTheFunctionsEventItMapsTo() {
        Map<String, String> table = SeedEventTable.rows();
        table.keySet().forEach(type -> sendEvent("row-" + type, messagingEvent(type, "row-" + type)));

        table.forEach((type, mappedTo) -> assertThat(commandsOf("row-" + type))
                .as("%s -> %s", type, mappedTo)
                .isNotEmpty()
                .allSatisfy(command -> {
                    assertThat(command.path("cbotEventType").asText()).isEqualTo(type);
                    assertThat(command.path("eventId").asText()).isEqualTo(SeedEventTable.eventId(mappedTo));
                }));
        assertThat(deadLetters.getReceivedExchanges()).extracting(exchange -> exchange.getMessage().getHeader("bridgeErrorReason"))
                .as("only the failing ttr function's events are dead letters")
                .containsOnly("FUNCTION_FAILED");
    }

    @Test
    void theReplysCommandsGoToTheRouteOfTheirTypeInTheContractsOrder() {
        sendEvent("conv-3", messagingEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-3"));

        assertThat(commandsOf("conv-3")).extracting(command -> command.path("type").asText())
                .containsExactly("systemMessage", "transfer", "closeConversation");
        assertThat(commandsOf("conv-3")).allSatisfy(command -> {
            assertThat(command.path("origin").asText()).isEqualTo("function");
            assertThat(command.path("functionId").asText()).isEqualTo("replies-three-commands");
        });
        assertThat(commands.getReceivedExchanges()).allSatisfy(exchange -> assertThat(exchange.getMessage().getHeaders())
                .as("a command record's only headers are its key and the event's traceparent")
                .containsOnlyKeys(KafkaConstants.KEY, "traceparent"));
        assertThat(deadLetters.getReceivedCounter()).isZero();
    }

    @Test
    void aFunctionThatKeepsFailingIsTriedFourTimesThenDeadLetteredAndTheAutomaticMessageSent() {
        sendEvent("conv-ttr", messagingEvent("AGENT_UPDATED_RESPONSE_TIME", "conv-ttr"));

        Map<String, Object> deadLetter = deadLetterOf("conv-ttr");
        assertThat(deadLetter).containsEntry("bridgeErrorReason", "FUNCTION_FAILED").containsEntry("bridgeAttempts", "4")
                .containsEntry("bridgeFunctionId", "fails");
        assertThat(commandsOf("conv-ttr")).extracting(command -> command.path("origin").asText() + " " + command.path("text").asText())
                .containsExactly("autoMessage auto AGENT_UPDATED_RESPONSE_TIME");
    }

    @Test
    void aFunctionWithSkillsIsCalledOnlyForItsSkill() {
        ConsumerRecord<byte[], byte[]> vip = record("conversation-events", "conv-vip", messagingEvent("ENGAGEMENT_TRANSFERED", "conv-vip"));
        vip.headers().add(new RecordHeader("skillId", "vip".getBytes(StandardCharsets.UTF_8)));
        send("direct:conversation-events", conversationEvents, vip);
        sendEvent("conv-other", messagingEvent("ENGAGEMENT_TRANSFERED", "conv-other"));

        assertThat(commandsOf("conv-vip")).extracting(command -> command.path("text").asText()).containsExactly("from vip-only");
        assertThat(commandsOf("conv-other")).extracting(command -> command.path("text").asText()).containsExactly("auto ENGAGEMENT_TRANSFERED");
    }

    @Test
    void anUnreadableRecordOrAnUnknownTypeIsADeadLetterWithItsReasonAndNoCommand() {
        sendEvent("bad-json", "{\"general\": {");
        sendEvent("no-type", "{\"general\":{\"convId\":\"no-type\"}}");
        sendEvent("unknown", messagingEvent("AGENT_DANCED", "unknown"));

        assertThat(deadLetterOf("bad-json")).containsEntry("bridgeErrorReason", "MALFORMED_JSON").containsEntry("bridgeAttempts", "0");
        assertThat(deadLetterOf("no-type")).containsEntry("bridgeErrorReason", "MISSING_EVENT_TYPE");
        assertThat(deadLetterOf("unknown")).containsEntry("bridgeErrorReason", "UNKNOWN_EVENT_TYPE")
                .containsEntry("bridgeSourceTopic", "conversation-events");
        assertThat(commands.getReceivedCounter()).isZero();
    }

    @Test
    void aChatFunctionsReplyIsReadNotExecutedAndAnUnknownChatEventIsADeadLetter() {
        ConsumerRecord<byte[], byte[]> start = record("chat-events", "chat-1", "{\"chatSessionKey\":\"chat-1\"}");
        start.headers().add(new RecordHeader("eventId", "chat_start".getBytes(StandardCharsets.UTF_8)));
        ConsumerRecord<byte[], byte[]> unknown = record("chat-events", "chat-2", "{}");
        unknown.headers().add(new RecordHeader("eventId", "chat_dance".getBytes(StandardCharsets.UTF_8)));
        send("direct:chat-events", chatEvents, start);
        send("direct:chat-events", chatEvents, unknown);

        assertThat(commands.getReceivedCounter()).as("chat takes no commands").isZero();
        assertThat(deadLetterOf("chat-2")).containsEntry("bridgeErrorReason", "UNKNOWN_EVENT_TYPE");
        assertThat(deadLetters.getReceivedCounter()).isEqualTo(1);
    }

    @Test
    void aTranscriptCallsEveryFunctionOnceAndWritesASendTranscriptPerValidEntryAndADeadLetterPerFailure() {
        ConsumerRecord<byte[], byte[]> transcript = record("chat-post-survey", "chat-9", "{\"csatRank\":1}");
        transcript.headers().add(new RecordHeader("eventId", "denver_post_survey_email_transcript".getBytes(StandardCharsets.UTF_8)));
        send("direct:transcript-events", transcriptEvents, transcript);

        assertThat(commandsOf("chat-9")).extracting(c -> c.path("functionId").asText() + " " + c.path("targetEmail").asText())
                .containsExactlyInAnyOrder("transcript-two a@example.com", "transcript-two b@example.com", "transcript-one-invalid c@example.com");
        assertThat(commandsOf("chat-9")).allMatch(c -> c.path("type").asText().equals("sendTranscript"));
        List<Map<String, Object>> letters = deadLetters.getReceivedExchanges().stream().map(e -> e.getMessage().getHeaders()).toList();
        assertThat(letters).extracting(h -> h.get("bridgeFunctionId") + " " + h.get("bridgeErrorReason") + " " + h.get("bridgeAttempts"))
                .as("no retry for transcripts").containsExactlyInAnyOrder("transcript-one-invalid INVALID_REPLY 1", "transcript-fails FUNCTION_FAILED 1");
        assertThat(letters).allSatisfy(headers -> assertThat(headers).containsEntry("eventId", "denver_post_survey_email_transcript".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aSurveyFunctionsReplyIsReadNotExecutedAndItsSkillComesFromThePayload() {
        ConsumerRecord<byte[], byte[]> ended = record("survey-events", null, "{\"conversationId\":\"conv-s1\",\"skillId\":\"survey-skill\"}");
        ended.headers().add(new RecordHeader("eventId", "surveybot_messaging_survey_ended".getBytes(StandardCharsets.UTF_8)));
        BridgeEvent event = send("direct:survey-events", surveyEvents, ended);
        ConsumerRecord<byte[], byte[]> unknown = record("survey-events", "conv-s2", "{}");
        unknown.headers().add(new RecordHeader("eventId", "surveybot_danced".getBytes(StandardCharsets.UTF_8)));
        send("direct:survey-events", surveyEvents, unknown);

        assertThat(event.invocation().getFunctionId()).as("the function of the payload's skill").isEqualTo("survey-for-skill");
        assertThat(event.outcome().getNotExecuted()).isEqualTo(1);
        assertThat(commands.getReceivedCounter()).as("surveys take no commands").isZero();
        assertThat(deadLetterOf("conv-s2")).containsEntry("bridgeErrorReason", "UNKNOWN_EVENT_TYPE");
        assertThat(deadLetters.getReceivedCounter()).isEqualTo(1);
    }

    @Test
    void aFailureOfTheBridgeItselfOnTheCallIsABridgeErrorAtOnceAndTheAutomaticMessageIsStillSent() {
        ConsumerRecord<byte[], byte[]> bug = record("conversation-events", "conv-bug", messagingEvent("CONSUMER_STEP_UP", "conv-bug"));
        bug.headers().add(new RecordHeader("skillId", "bug".getBytes(StandardCharsets.UTF_8)));
        send("direct:conversation-events", conversationEvents, bug);

        Map<String, Object> deadLetter = deadLetterOf("conv-bug");
        assertThat(deadLetter).containsEntry("bridgeErrorReason", "BRIDGE_ERROR").containsEntry("bridgeAttempts", "1")
                .containsEntry("bridgeFunctionId", "bridge-fails");
        assertThat((String) deadLetter.get("bridgeErrorMessage")).contains("a bug of the bridge's own");
        assertThat(commandsOf("conv-bug")).extracting(command -> command.path("origin").asText()).containsExactly("autoMessage");
    }
}
