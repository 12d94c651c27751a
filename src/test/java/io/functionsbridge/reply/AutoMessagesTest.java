package io.functionsbridge.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.RegistryException;
import io.functionsbridge.event.EventReader;
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
        reader.setChannel(channel);
        String value = "{\"general\":{\"cbotEventType\":\"" + type + "\",\"convId\":\"c\"}}";
        return reader.read("t", 0, 1L, null, value.getBytes(StandardCharsets.UTF_8), null, type);
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
        AutoMessages shipped = AutoMessages.read("auto-messages.yaml");
        assertThat(shipped.find("AGENT_NON_RESPONSIVE")).map(AutoMessages.AutoMessage::enabled).contains(false);
        assertThat(shipped.find("CONSUMER_OPEN_NEW_CONVERSATION")).map(AutoMessages.AutoMessage::enabled).contains(true);

        Path bad = Files.writeString(dir.resolve("auto.yaml"), "autoMessages:\n  X:\n    enabled: maybe\n    text: hi\n  Y:\n    enabled: true\n");
        assertThatThrownBy(() -> AutoMessages.read(bad.toString()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("X needs 'text'")
                .hasMessageContaining("Y needs 'text'");
        assertThatThrownBy(() -> AutoMessages.read(dir.resolve("missing.yaml").toString()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("not found");
    }
}
