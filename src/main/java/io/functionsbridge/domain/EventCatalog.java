package io.functionsbridge.domain;

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
 * validate a deployment.
 */
public final class EventCatalog {

    private final Map<String, FunctionsEvent> events = new LinkedHashMap<>();

    public EventCatalog() {
        messaging("controllerbot_messaging_new_conversation", "Messaging New Conversation");
        messaging("controllerbot_messaging_conversation_end", "Messaging Conversation End");
        messaging("controllerbot_messaging_conversation_routing", "Messaging Conversation Routing");
        messaging("controllerbot_messaging_participants_change", "Messaging Participants Change");
        messaging("controllerbot_messaging_ttr", "Messaging TTR");
        messaging("controllerbot_messaging_mid_conversation_msg", "Messaging Line in Off-Hours");
        messaging("controllerbot_messaging_conversation_idle", "Messaging Conversation Idle");
        messaging("controllerbot_messaging_consumer_step_up", "Messaging Consumer Step Up");
        chat("chat_in_queue", "Chat In-Queue");
        chat("chat_start", "Chat Start");
        chat("chat_end", "Chat End");
    }

    private void messaging(String id, String name) {
        events.put(id, new FunctionsEvent(id, name, 1, true, true));
    }

    private void chat(String id, String name) {
        events.put(id, new FunctionsEvent(id, name, 1, false, false));
    }

    public Optional<FunctionsEvent> find(String id) {
        return Optional.ofNullable(events.get(id));
    }

    public Collection<FunctionsEvent> events() {
        return Collections.unmodifiableCollection(events.values());
    }
}
