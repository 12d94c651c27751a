package io.functionsbridge.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The main job's feed: every cbotEventType, the chat events, surveys, a transcript, and a few bad records. */
final class SampleEvents {

    /** A record to write: topic role ("events", "chat", "survey" or "transcript"), key, value and headers. */
    record Sample(String input, String key, String value, Map<String, String> headers) {
    }

    static final List<String> CBOT_EVENT_TYPES = List.of(
            "CONSUMER_OPEN_NEW_CONVERSATION_FIRST_TIME_OFF_HOURS",
            "CONSUMER_OPEN_NEW_CONVERSATION_OFF_HOURS",
            "CONSUMER_OPEN_NEW_CONVERSATION_FIRST_TIME",
            "CONSUMER_OPEN_NEW_CONVERSATION",
            "CONSUMER_OPEN_NEW_CONVERSATION_AFTER_AUTOCLOSE",
            "AGENT_END_CONVERSATION",
            "CONSUMER_END_CONVERSATION",
            "SYSTEM_END_CONVERSATION",
            "ENGAGEMENT_TRANSFERED",
            "YOU_ARE_CONNECTED_TO",
            "BACK_TO_QUEUE",
            "JOINED_AGENT_LEFT_CONVERSATION",
            "ANOTHER_AGENT_JOINED_CONVERSATION",
            "AGENT_UPDATED_RESPONSE_TIME",
            "CONSUMER_CANCELED_URGENT_RESPONSE_TIME",
            "CONSUMER_ASKED_URGENT_RESPONSE_TIME",
            "CONSUMER_SEND_MESSAGE_ON_OFFHOURS",
            "CONV_AWAITING_IN_QUEUE",
            "AGENT_NON_RESPONSIVE",
            "CONSUMER_NON_RESPONSIVE",
            "CONSUMER_STEP_UP");

    private SampleEvents() {
    }

    static List<Sample> all() {
        List<Sample> samples = new ArrayList<>();
        int n = 1;
        for (String type : CBOT_EVENT_TYPES) {
            String convId = "conv-" + n++;
            String skill = type.equals("ENGAGEMENT_TRANSFERED") ? ",\"routing\":{\"oldSkillId\":\"111\",\"newSkillId\":\"123456\"}" : "";
            samples.add(new Sample("events", convId,
                    "{\"general\":{\"cbotEventType\":\"" + type + "\",\"convId\":\"" + convId + "\",\"type\":\"UPSERT\"}" + skill + "}",
                    Map.of()));
        }
        // a transfer to a skill the routing function does not serve: no call, only the automatic message
        samples.add(new Sample("events", "conv-other-skill",
                "{\"general\":{\"cbotEventType\":\"ENGAGEMENT_TRANSFERED\",\"convId\":\"conv-other-skill\"},"
                        + "\"routing\":{\"newSkillId\":\"999\"}}", Map.of()));
        // the whole invocation envelope instead of the payload
        samples.add(new Sample("events", "conv-envelope",
                "{\"timestamp\":1700000000000,\"headers\":[],\"payload\":{\"general\":"
                        + "{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"conv-envelope\"}}}", Map.of()));
        // bad records: each ends in a dead letter and the records behind it keep flowing
        samples.add(new Sample("events", "conv-bad-1", "{\"general\": {\"cbotEventType\": ", Map.of()));
        samples.add(new Sample("events", "conv-bad-2", "{\"general\":{\"convId\":\"conv-bad-2\"}}", Map.of()));
        samples.add(new Sample("events", "conv-bad-3", "{\"general\":{\"cbotEventType\":\"AGENT_DANCED\",\"convId\":\"conv-bad-3\"}}", Map.of()));
        // chat events: header eventId
        samples.add(new Sample("chat", "chat-1", "{\"chatSessionKey\":\"chat-1\",\"engagementId\":\"3599735310\"}", Map.of("eventId", "chat_in_queue")));
        samples.add(new Sample("chat", "chat-1", "{\"chatSessionKey\":\"chat-1\",\"engagementId\":\"3599735310\"}", Map.of("eventId", "chat_start")));
        samples.add(new Sample("chat", "chat-1", "{\"chatSessionKey\":\"chat-1\",\"engagementId\":\"3599735310\"}", Map.of("eventId", "chat_end")));
        samples.add(new Sample("chat", "chat-2", "{\"chatSessionKey\":\"chat-2\"}", Map.of()));
        // post-conversation surveys: header eventId; their replies are read, not executed
        String survey = "{\"conversationId\":\"conv-4\",\"accountId\":\"local\",\"surveyId\":\"csat-1\",\"skillId\":\"123456\",\"dialogs\":[]}";
        samples.add(new Sample("survey", "conv-4", survey, Map.of("eventId", "surveybot_messaging_survey_started")));
        samples.add(new Sample("survey", "conv-4", survey.replace("[]", "[{\"question\":\"How did we do?\",\"answer\":\"2\"}]"),
                Map.of("eventId", "surveybot_messaging_survey_ended")));
        // the chat post-survey transcript: both transcript functions are called at once
        samples.add(new Sample("transcript", "chat-1", "{\"csatRank\":2,\"skillName\":\"billing\",\"agentName\":\"Ann\","
                + "\"questionWithAnswers\":[{\"question\":\"Was your issue solved?\",\"answer\":\"No\"}]}",
                Map.of("eventId", "denver_post_survey_email_transcript")));
        return samples;
    }
}
