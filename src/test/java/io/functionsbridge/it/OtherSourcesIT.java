package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The other event sources on Kafka (docs/contract.md, "The other event sources"): surveys, whose
 * replies are read and not executed, and the chat post-survey e-mail transcript, whose every
 * function is called at once and without retry, each valid reply entry a sendTranscript command.
 */
class OtherSourcesIT extends AbstractBridgeIT {

    private static final String TRANSCRIPT = "denver_post_survey_email_transcript";

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: survey-vip
                    event: surveybot_messaging_survey_started
                    url: %URL%/survey-started
                    state: deployed
                    skills: ["55"]
                  - id: survey-ended-down
                    event: surveybot_messaging_survey_ended
                    url: %URL%/survey-ended
                    state: deployed
                  - id: transcript-a
                    event: denver_post_survey_email_transcript
                    url: %URL%/t-a
                    state: deployed
                  - id: transcript-b
                    event: denver_post_survey_email_transcript
                    url: %URL%/t-b
                    state: deployed
                  - id: transcript-c
                    event: denver_post_survey_email_transcript
                    url: %URL%/t-c
                    state: deployed
                  - id: transcript-d
                    event: denver_post_survey_email_transcript
                    url: %URL%/t-d
                    state: deployed
                  - id: transcript-e
                    event: denver_post_survey_email_transcript
                    url: %URL%/t-e
                    state: undeployed
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/survey-started", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"thanks for your answers\"}]"));
        server.on("/survey-ended", Response.status(503));
        server.on("/t-a", Response.ok("""
                [{"targetEmail":"agent.lead@example.com","senderName":"Support","senderEmail":"noreply@example.com","subject":"Your chat"},
                 {"targetEmail":"archive@example.com","subject":"Archive"}]""").after(1000));
        server.on("/t-b", Response.ok("[{\"targetEmail\":\"quality@example.com\"},{\"senderName\":\"no target\"}]"));
        server.on("/t-c", Response.status(500));
        server.on("/t-d", Response.ok("{\"targetEmail\":\"csat@example.com\",\"subject\":\"Low CSAT\"}").after(1000));
        server.on("/t-e", Response.ok("[{\"targetEmail\":\"never@example.com\"}]"));
    }

    private static String survey(String convId, String skillId) {
        return "{\"conversationId\":\"" + convId + "\",\"accountId\":\"local\",\"surveyId\":\"s-1\",\"skillId\":\"" + skillId
                + "\",\"dialogs\":[]}";
    }

    @Test
    void aSurveyEventCallsItsFunctionForTheSkillAndItsReplyIsReadNotExecuted() {
        long notExecuted = outcomes().getRepliesNotExecuted();
        handled(3, () -> {
            kafka.send(bridge.surveyEvents, "conv-s1", survey("conv-s1", "55"), Map.of("eventId", "surveybot_messaging_survey_started"));
            // another skill: no function serves it
            kafka.send(bridge.surveyEvents, "conv-s2", survey("conv-s2", "56"), Map.of("eventId", "surveybot_messaging_survey_started"));
            // no key: the conversation is the payload's conversationId, the skill the header's
            kafka.send(bridge.surveyEvents, null, survey("conv-s3", "1"), Map.of("eventId", "surveybot_messaging_survey_started", "skillId", "55"));
        });
        assertThat(functions.calls("/survey-started")).isEqualTo(2);
        JsonNode sent = json(functions.requests("/survey-started").get(0).body());
        assertThat(sent.path("payload").path("surveyId").asText()).isEqualTo("s-1");
        assertThat(commandsOf("conv-s1")).as("a survey reply is not executed").isEmpty();
        assertThat(commandsOf("conv-s3")).isEmpty();
        assertThat(deadLettersOf("conv-s1")).isEmpty();
        assertThat(outcomes().getRepliesNotExecuted() - notExecuted).isEqualTo(2);
    }

    @Test
    void aFailingSurveyFunctionIsRetriedThenDeadLetteredAndBadSurveyRecordsAreDeadLetters() {
        handled(3, () -> {
            kafka.send(bridge.surveyEvents, "conv-s4", survey("conv-s4", "9"), Map.of("eventId", "surveybot_messaging_survey_ended"));
            kafka.send(bridge.surveyEvents, "conv-s5", survey("conv-s5", "9"), Map.of());
            kafka.send(bridge.surveyEvents, "conv-s6", survey("conv-s6", "9"), Map.of("eventId", "surveybot_messaging_survey_paused"));
        });
        assertThat(functions.calls("/survey-ended")).as("1 call and 3 retries").isEqualTo(4);
        KafkaRecords.Received failed = awaitNonEmpty(() -> deadLettersOf("conv-s4")).get(0);
        assertThat(failed.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(failed.header("bridgeFunctionId")).isEqualTo("survey-ended-down");
        assertThat(failed.header("bridgeAttempts")).isEqualTo("4");
        assertThat(failed.header("bridgeSourceTopic")).isEqualTo(bridge.surveyEvents);
        assertThat(awaitNonEmpty(() -> deadLettersOf("conv-s5")).get(0).header("bridgeErrorReason")).isEqualTo("MISSING_EVENT_TYPE");
        assertThat(awaitNonEmpty(() -> deadLettersOf("conv-s6")).get(0).header("bridgeErrorReason")).isEqualTo("UNKNOWN_EVENT_TYPE");
    }

    @Test
    void aTranscriptCallsEveryDeployedFunctionAtOnceWithoutRetryAndWritesASendTranscriptPerValidEntry() {
        String csat = "{\"csatRank\":2,\"skillName\":\"billing\",\"agentName\":\"Ann\",\"questionWithAnswers\":[{\"q\":\"ok?\",\"a\":\"no\"}]}";
        handled(1, () -> kafka.send(bridge.transcriptEvents, "chat-9", csat, Map.of("eventId", TRANSCRIPT)));

        // every deployed function, once: a failure is not retried, the undeployed one is not called
        assertThat(List.of(functions.calls("/t-a"), functions.calls("/t-b"), functions.calls("/t-c"), functions.calls("/t-d"), functions.calls("/t-e")))
                .containsExactly(1, 1, 1, 1, 0);
        // at once: each of the two slow functions (1 s each) was called while the other was working
        long a = functions.requests("/t-a").get(0).receivedMillis();
        long d = functions.requests("/t-d").get(0).receivedMillis();
        assertThat(Math.abs(a - d)).isLessThan(1000);
        assertThat(json(functions.requests("/t-b").get(0).body()).path("payload")).isEqualTo(json(csat));

        List<JsonNode> commands = Awaitility.await().atMost(PATIENCE).until(() -> commandValuesOf("chat-9"), list -> list.size() >= 4);
        assertThat(commands).hasSize(4);
        assertThat(commands).allSatisfy(command -> {
            assertThat(command.path("type").asText()).isEqualTo("sendTranscript");
            assertThat(command.path("convId").asText()).isEqualTo("chat-9");
            assertThat(command.path("origin").asText()).isEqualTo("function");
            assertThat(command.path("eventId").asText()).isEqualTo(TRANSCRIPT);
            assertThat(command.has("cbotEventType")).isFalse();
        });
        assertThat(commands.stream().map(c -> c.path("functionId").asText() + " " + c.path("targetEmail").asText()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("transcript-a agent.lead@example.com", "transcript-a archive@example.com",
                        "transcript-b quality@example.com", "transcript-d csat@example.com");
        JsonNode lead = commands.stream().filter(c -> c.path("targetEmail").asText().equals("agent.lead@example.com")).findFirst().orElseThrow();
        assertThat(lead.path("senderName").asText()).isEqualTo("Support");
        assertThat(lead.path("senderEmail").asText()).isEqualTo("noreply@example.com");
        assertThat(lead.path("subject").asText()).isEqualTo("Your chat");
        Set<String> ids = commands.stream().map(c -> c.path("commandId").asText()).collect(Collectors.toSet());
        assertThat(ids).hasSize(4);

        // one dead letter per function that failed or answered an invalid entry, naming it
        List<KafkaRecords.Received> deadLetters = Awaitility.await().atMost(PATIENCE).until(() -> deadLettersOf("chat-9"), list -> list.size() >= 2);
        assertThat(deadLetters.stream().map(r -> r.header("bridgeFunctionId") + " " + r.header("bridgeErrorReason") + " " + r.header("bridgeAttempts")))
                .containsExactlyInAnyOrder("transcript-b INVALID_REPLY 1", "transcript-c FUNCTION_FAILED 1");
        assertThat(deadLetters).allSatisfy(r -> assertThat(r.value()).isEqualTo(csat));
    }

    @Test
    void aTranscriptWithoutAChatSessionIsADeadLetter() {
        handled(1, () -> kafka.send(bridge.transcriptEvents, null, "{\"csatRank\":5}", Map.of("eventId", TRANSCRIPT)));
        List<KafkaRecords.Received> deadLetters = awaitNonEmpty(() -> kafka.readAll(bridge.deadLetters).stream()
                .filter(r -> bridge.transcriptEvents.equals(r.header("bridgeSourceTopic")) && r.key() == null).toList());
        assertThat(deadLetters.get(0).header("bridgeErrorReason")).isEqualTo("MISSING_CONVERSATION_ID");
    }
}
