package io.functionsbridge.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.event.BridgeEvent;
import io.functionsbridge.event.EventReader;
import io.functionsbridge.registry.RegistryException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoMessagesTest {

    private final AutoMessages autoMessages = new AutoMessages(Map.of(
            "CONSUMER_OPEN_NEW_CONVERSATION", new AutoMessages.AutoMessage(true, "Welcome!"),
            "AGENT_NON_RESPONSIVE", new AutoMessages.AutoMessage(false, "Sorry for the wait.")));

    private static BridgeEvent event(String type, BridgeEvent.Channel channel) {
        EventReader reader = new EventReader();
        Map<String, Object> headers = Map.of("kafka.TOPIC", "t", "kafka.PARTITION", 0, "kafka.OFFSET", 1L,
                "eventId", type.getBytes(StandardCharsets.UTF_8));
        String value = "{\"general\":{\"cbotEventType\":\"" + type + "\",\"convId\":\"c\"}}";
        if (channel == BridgeEvent.Channel.CHAT) {
            BridgeEvent event = reader.receiveChat(value.getBytes(StandardCharsets.UTF_8), headers);
            reader.readChatEvent(event);
            return event;
        }
        BridgeEvent event = reader.receive(value.getBytes(StandardCharsets.UTF_8), headers);
        reader.readConversationEvent(event);
        return event;
    }

    @Test
    void theAutomaticMessageIsSentWhenTheFunctionSetsNone() {
        BridgeEvent event = event("CONSUMER_OPEN_NEW_CONVERSATION", BridgeEvent.Channel.MESSAGING);
        event.getCommands().add(Command.closeConversation());
        autoMessages.apply(event);
        assertThat(event.getCommands()).containsExactly(
                Command.systemMessage(Command.Origin.AUTO_MESSAGE, "Welcome!"), Command.closeConversation());
    }

    @Test
    void theFunctionsMessageOverridesIt() {
        BridgeEvent event = event("CONSUMER_OPEN_NEW_CONVERSATION", BridgeEvent.Channel.MESSAGING);
        event.getCommands().add(Command.systemMessage(Command.Origin.FUNCTION, "custom"));
        autoMessages.apply(event);
        assertThat(event.getCommands()).containsExactly(Command.systemMessage(Command.Origin.FUNCTION, "custom"));
    }

    @Test
    void anEmptyTextSuppressesIt() {
        BridgeEvent event = event("CONSUMER_OPEN_NEW_CONVERSATION", BridgeEvent.Channel.MESSAGING);
        event.setMessageSuppressed(true);
        autoMessages.apply(event);
        assertThat(event.getCommands()).isEmpty();
    }

    @Test
    void aDisabledOrMissingAutomaticMessageIsNotSent() {
        BridgeEvent disabled = event("AGENT_NON_RESPONSIVE", BridgeEvent.Channel.MESSAGING);
        autoMessages.apply(disabled);
        assertThat(disabled.getCommands()).isEmpty();
        BridgeEvent unconfigured = event("CONSUMER_STEP_UP", BridgeEvent.Channel.MESSAGING);
        autoMessages.apply(unconfigured);
        assertThat(unconfigured.getCommands()).isEmpty();
    }

    @Test
    void chatEventsHaveNoAutomaticMessages() {
        AutoMessages chat = new AutoMessages(Map.of("chat_start", new AutoMessages.AutoMessage(true, "x")));
        BridgeEvent event = event("chat_start", BridgeEvent.Channel.CHAT);
        chat.apply(event);
        assertThat(event.getCommands()).isEmpty();
    }

    @Test
    void loadsTheShippedFileAndRefusesABadOne(@TempDir Path dir) throws IOException {
        AutoMessages shipped = AutoMessages.load("auto-messages.yaml");
        assertThat(shipped.find("AGENT_NON_RESPONSIVE")).map(AutoMessages.AutoMessage::enabled).contains(false);
        assertThat(shipped.find("CONSUMER_OPEN_NEW_CONVERSATION")).map(AutoMessages.AutoMessage::enabled).contains(true);

        Path bad = Files.writeString(dir.resolve("auto.yaml"), "autoMessages:\n  X:\n    enabled: maybe\n    text: hi\n  Y:\n    enabled: true\n");
        assertThatThrownBy(() -> AutoMessages.load(bad.toString()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("X needs 'text'")
                .hasMessageContaining("Y needs 'text'");
        assertThatThrownBy(() -> AutoMessages.load(dir.resolve("missing.yaml").toString()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("not found");
    }
}
