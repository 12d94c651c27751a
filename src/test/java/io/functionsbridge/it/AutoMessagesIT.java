package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The automatic-message rules (docs/contract.md), and skill filtering, end to end. */
class AutoMessagesIT extends AbstractBridgeIT {

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: override
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/override
                    state: deployed
                  - id: silent
                    event: controllerbot_messaging_conversation_end
                    url: %URL%/silent
                    state: deployed
                  - id: suppress
                    event: controllerbot_messaging_participants_change
                    url: %URL%/suppress
                    state: deployed
                  - id: idle-for-s1
                    event: controllerbot_messaging_conversation_idle
                    url: %URL%/idle
                    state: deployed
                    skills: ["s1"]
                  - id: step-up-undeployed
                    event: controllerbot_messaging_consumer_step_up
                    url: %URL%/step-up
                    state: undeployed
                """;
    }

    @Override
    String autoMessagesYaml() {
        return """
                autoMessages:
                  CONSUMER_OPEN_NEW_CONVERSATION:
                    enabled: true
                    text: Welcome (automatic)
                  CONSUMER_END_CONVERSATION:
                    enabled: true
                    text: Goodbye (automatic)
                  YOU_ARE_CONNECTED_TO:
                    enabled: true
                    text: Connected (automatic)
                  AGENT_NON_RESPONSIVE:
                    enabled: false
                    text: Sorry for the wait
                  CONSUMER_NON_RESPONSIVE:
                    enabled: true
                    text: Are you there? (automatic)
                  CONSUMER_STEP_UP:
                    enabled: true
                    text: Signed in (automatic)
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/override", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"Welcome from the function\"}]"));
        server.on("/silent", Response.ok(""));
        server.on("/suppress", Response.ok("[{\"type\":\"systemMessage\",\"text\":[]},{\"type\":\"transfer\",\"agentId\":\"a1\"}]"));
        server.on("/idle", Response.ok("null"));
        server.on("/step-up", Response.ok("[{\"type\":\"closeConversation\"}]"));
    }

    private JsonNode onlyCommandOf(String convId) {
        return awaitNonEmpty(() -> commandValuesOf(convId)).get(0);
    }

    @Test
    void theAutomaticMessageIsSentWhenTheFunctionSetsNone() {
        handled(1, () -> sendEvent("CONSUMER_END_CONVERSATION", "am-default"));
        assertThat(commandValuesOf("am-default")).hasSize(1);
        JsonNode command = onlyCommandOf("am-default");
        assertThat(command.path("text").asText()).isEqualTo("Goodbye (automatic)");
        assertThat(command.path("origin").asText()).isEqualTo("autoMessage");
        assertThat(functions.calls("/silent")).isEqualTo(1);
    }

    @Test
    void theFunctionsMessageOverridesTheAutomaticMessage() {
        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "am-override"));
        assertThat(commandValuesOf("am-override")).singleElement().satisfies(command -> {
            assertThat(command.path("text").asText()).isEqualTo("Welcome from the function");
            assertThat(command.path("origin").asText()).isEqualTo("function");
        });
    }

    @Test
    void anEmptyTextSuppressesBothMessages() {
        handled(1, () -> sendEvent("YOU_ARE_CONNECTED_TO", "am-suppress"));
        assertThat(commandValuesOf("am-suppress")).extracting(c -> c.path("type").asText()).containsExactly("transfer");
    }

    @Test
    void aDisabledAutomaticMessageDoesNotStopTheFunction() {
        int before = functions.calls("/idle");
        handled(1, () -> kafka.send(bridge.events, "am-disabled", event("AGENT_NON_RESPONSIVE", "am-disabled"), Map.of("skillId", "s1")));
        assertThat(functions.calls("/idle")).isEqualTo(before + 1);
        assertThat(commandsOf("am-disabled")).isEmpty();
    }

    @Test
    void aFunctionIsOnlyCalledForItsSkillsAndTheAutomaticMessageStillApplies() {
        int before = functions.calls("/idle");
        handled(2, () -> {
            kafka.send(bridge.events, "am-skill-s2", event("CONSUMER_NON_RESPONSIVE", "am-skill-s2"), Map.of("skillId", "s2"));
            sendEvent("CONSUMER_NON_RESPONSIVE", "am-skill-none");
        });
        assertThat(functions.calls("/idle")).as("neither s2 nor an unknown skill is listed").isEqualTo(before);
        assertThat(onlyCommandOf("am-skill-s2").path("text").asText()).isEqualTo("Are you there? (automatic)");
        assertThat(onlyCommandOf("am-skill-none").path("origin").asText()).isEqualTo("autoMessage");

        handled(1, () -> kafka.send(bridge.events, "am-skill-s1", event("CONSUMER_NON_RESPONSIVE", "am-skill-s1"), Map.of("skillId", "s1")));
        assertThat(functions.calls("/idle")).isEqualTo(before + 1);
        assertThat(onlyCommandOf("am-skill-s1").path("origin").asText()).isEqualTo("autoMessage");
    }

    @Test
    void anUndeployedFunctionIsNeverCalled() {
        handled(1, () -> sendEvent("CONSUMER_STEP_UP", "am-undeployed"));
        assertThat(functions.calls("/step-up")).isZero();
        assertThat(commandValuesOf("am-undeployed")).singleElement()
                .satisfies(c -> assertThat(c.path("text").asText()).isEqualTo("Signed in (automatic)"));
    }
}
