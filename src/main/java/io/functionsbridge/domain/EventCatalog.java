package io.functionsbridge.domain;

import io.functionsbridge.domain.FunctionsEvent.Reply;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Functions events the bridge knows, with their lambda limits (docs/contract.md, seeds' overview).
 *
 * <p>Which {@code cbotEventType} maps to which event is routing, and lives in
 * {@code routes/conversation-events.camel.yaml}; this catalogue holds what the registry needs to
 * validate a deployment, and what becomes of a reply to each event.
 */
public final class EventCatalog {

    private final Map<String, FunctionsEvent> events = new LinkedHashMap<>();

    public EventCatalog() {
        add("controllerbot_messaging_new_conversation", "Messaging New Conversation", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_conversation_end", "Messaging Conversation End", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_conversation_routing", "Messaging Conversation Routing", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_participants_change", "Messaging Participants Change", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_ttr", "Messaging TTR", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_mid_conversation_msg", "Messaging Line in Off-Hours", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_conversation_idle", "Messaging Conversation Idle", 1, true, Reply.COMMANDS);
        add("controllerbot_messaging_consumer_step_up", "Messaging Consumer Step Up", 1, true, Reply.COMMANDS);
        add("chat_in_queue", "Chat In-Queue", 1, false, Reply.READ_ONLY);
        add("chat_start", "Chat Start", 1, false, Reply.READ_ONLY);
        add("chat_end", "Chat End", 1, false, Reply.READ_ONLY);
        add("surveybot_messaging_survey_started", "Messaging Survey Started", 1, true, Reply.READ_ONLY);
        add("surveybot_messaging_survey_ended", "Messaging Survey Ended", 1, true, Reply.READ_ONLY);
        events.put("denver_post_survey_email_transcript", new FunctionsEvent("denver_post_survey_email_transcript",
                "Chat Post Survey E-Mail Transcript", 10, false, Reply.TRANSCRIPTS, false));
        add("conversational_command", "Conversational Command", 30, false, Reply.RESULT);
        add("bot_connectors_custom_integration", "Third-Party Bots Custom Integration", 15, false, Reply.RESULT);
        add("bot_connectors_pre_hook", "Third-Party Bots Pre Hook", 15, false, Reply.RESULT);
        add("bot_connectors_post_hook", "Third-Party Bots Post Hook", 15, false, Reply.RESULT);
        add("bot_connectors_error_hook", "Third-Party Bots Error Hook", 15, false, Reply.RESULT);
    }

    private void add(String id, String name, int limit, boolean skillsApply, Reply reply) {
        events.put(id, new FunctionsEvent(id, name, limit, skillsApply, reply, true));
    }

    public Optional<FunctionsEvent> find(String id) {
        return Optional.ofNullable(events.get(id));
    }

    public Collection<FunctionsEvent> events() {
        return Collections.unmodifiableCollection(events.values());
    }
}
