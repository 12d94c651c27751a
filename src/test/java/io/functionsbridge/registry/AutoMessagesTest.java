package io.functionsbridge.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.domain.AutoMessage;
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
            "CONSUMER_OPEN_NEW_CONVERSATION", new AutoMessage(true, "Welcome!"),
            "AGENT_NON_RESPONSIVE", new AutoMessage(false, "Sorry for the wait.")));

    /** An event read and enriched, as the routes do, with the automatic messages given. */
    private static BridgeEvent event(String type, AutoMessages messages) {
        EventReader reader = new EventReader();
        String value = "{\"general\":{\"cbotEventType\":\"" + type + "\",\"convId\":\"c\"}}";
        BridgeEvent event = reader.read("t", 0, 1L, null, value.getBytes(StandardCharsets.UTF_8), null, type);
        FunctionRegistry registry = new FunctionRegistry();
        registry.setAutoMessages(messages);
        registry.enrich(event, "some_event");
        return event;
    }

    private BridgeEvent event(String type) {
        return event(type, autoMessages);
    }

    @Test
    void theAutomaticMessageIsSentWhenTheFunctionSetsNone() {
        BridgeEvent event = event("CONSUMER_OPEN_NEW_CONVERSATION");
        event.outcome().getCommands().add(Command.closeConversation());
        autoMessages.add(event);
        assertThat(event.outcome().getCommands()).containsExactly(
                Command.systemMessage(Command.Origin.AUTO_MESSAGE, "Welcome!"), Command.closeConversation());
    }

    @Test
    void theFunctionsMessageOverridesIt() {
        BridgeEvent event = event("CONSUMER_OPEN_NEW_CONVERSATION");
        event.outcome().getCommands().add(Command.systemMessage(Command.Origin.FUNCTION, "custom"));
        autoMessages.add(event);
        assertThat(event.outcome().getCommands()).containsExactly(Command.systemMessage(Command.Origin.FUNCTION, "custom"));
    }

    @Test
    void anEmptyTextSuppressesIt() {
        BridgeEvent event = event("CONSUMER_OPEN_NEW_CONVERSATION");
        event.outcome().setMessageSuppressed(true);
        autoMessages.add(event);
        assertThat(event.outcome().getCommands()).isEmpty();
    }

    @Test
    void aDisabledOrMissingAutomaticMessageIsNotSent() {
        BridgeEvent disabled = event("AGENT_NON_RESPONSIVE");
        autoMessages.add(disabled);
        assertThat(disabled.outcome().getCommands()).isEmpty();
        BridgeEvent unconfigured = event("CONSUMER_STEP_UP");
        autoMessages.add(unconfigured);
        assertThat(unconfigured.outcome().getCommands()).isEmpty();
    }

    @Test
    void anEventKeepsTheMessageInForceWhenItWasEnriched(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("auto.yaml"), "autoMessages:\n  CONSUMER_STEP_UP:\n    text: before\n");
        AutoMessages messages = new AutoMessages();
        messages.setFile(file.toString());
        messages.load();
        BridgeEvent started = event("CONSUMER_STEP_UP", messages);

        Files.writeString(file, "autoMessages:\n  CONSUMER_STEP_UP:\n    text: after\n");
        messages.load();
        BridgeEvent next = event("CONSUMER_STEP_UP", messages);

        messages.add(started);
        messages.add(next);
        assertThat(started.outcome().getCommands()).containsExactly(Command.systemMessage(Command.Origin.AUTO_MESSAGE, "before"));
        assertThat(next.outcome().getCommands()).containsExactly(Command.systemMessage(Command.Origin.AUTO_MESSAGE, "after"));
    }

    @Test
    void aRefusedFileLeavesTheMessagesInForce(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("auto.yaml"), "autoMessages:\n  CONSUMER_STEP_UP:\n    text: kept\n");
        AutoMessages messages = new AutoMessages();
        messages.setFile(file.toString());
        messages.load();
        Files.writeString(file, "autoMessages:\n  CONSUMER_STEP_UP:\n    enabled: sometimes\n");
        assertThatThrownBy(messages::load).isInstanceOf(RegistryException.class).hasMessageContaining("CONSUMER_STEP_UP needs 'text'");
        assertThat(messages.find("CONSUMER_STEP_UP")).map(AutoMessage::text).contains("kept");
    }

    @Test
    void loadsTheShippedFileAndRefusesABadOne(@TempDir Path dir) throws IOException {
        AutoMessages shipped = AutoMessages.read("auto-messages.yaml");
        assertThat(shipped.find("AGENT_NON_RESPONSIVE")).map(AutoMessage::enabled).contains(false);
        assertThat(shipped.find("CONSUMER_OPEN_NEW_CONVERSATION")).map(AutoMessage::enabled).contains(true);

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
