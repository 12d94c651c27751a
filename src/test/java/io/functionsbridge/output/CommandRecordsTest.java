package io.functionsbridge.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.FunctionDefinition;
import io.functionsbridge.domain.SourceIds;
import io.functionsbridge.event.EventReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.component.kafka.KafkaConstants;
import org.junit.jupiter.api.Test;

class CommandRecordsTest {

    private final CommandRecords records = new CommandRecords();
    private final ObjectMapper mapper = new ObjectMapper();

    private static BridgeEvent event(long offset) {
        BridgeEvent event = new EventReader().read("events", 3, offset, null,
                "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"conv-1\"}}".getBytes(StandardCharsets.UTF_8), null, null);
        event.invocation().setFunctionsEvent("controllerbot_messaging_new_conversation");
        event.invocation().setFunction(new FunctionDefinition("fn-1", "greet", "controllerbot_messaging_new_conversation", "http://h", true, List.of(), null));
        return event;
    }

    @Test
    void aSystemMessageRecordHasTheContractsFields() throws Exception {
        JsonNode record = mapper.readTree(records.value(event(7), Command.systemMessage(Command.Origin.FUNCTION, "your message")));
        assertThat(record.path("type").asText()).isEqualTo("systemMessage");
        assertThat(record.path("convId").asText()).isEqualTo("conv-1");
        assertThat(record.path("text").asText()).isEqualTo("your message");
        assertThat(record.path("origin").asText()).isEqualTo("function");
        assertThat(record.path("functionId").asText()).isEqualTo("fn-1");
        assertThat(record.path("eventId").asText()).isEqualTo("controllerbot_messaging_new_conversation");
        assertThat(record.path("cbotEventType").asText()).isEqualTo("CONSUMER_OPEN_NEW_CONVERSATION");
        assertThat(record.path("commandId").asText()).isNotBlank();
    }

    @Test
    void anAutomaticMessageNamesNoFunction() throws Exception {
        JsonNode record = mapper.readTree(records.value(event(7), Command.systemMessage(Command.Origin.AUTO_MESSAGE, "Welcome")));
        assertThat(record.path("origin").asText()).isEqualTo("autoMessage");
        assertThat(record.has("functionId")).isFalse();
    }

    @Test
    void aTransferKeepsBothTargets() throws Exception {
        JsonNode record = mapper.readTree(records.value(event(7), Command.transfer("123456", "agent-1")));
        assertThat(record.path("skillId").asText()).isEqualTo("123456");
        assertThat(record.path("agentId").asText()).isEqualTo("agent-1");
        JsonNode skillOnly = mapper.readTree(records.value(event(7), Command.transfer("123456", null)));
        assertThat(skillOnly.has("agentId")).isFalse();
    }

    @Test
    void aRouteGetsTheRecordOfTheCommandOfItsTypeKeyedByTheConversationWithTheEventsTraceAndItCountsAsWritten() throws Exception {
        BridgeEvent event = event(7);
        event.outcome().getCommands().add(Command.systemMessage(Command.Origin.FUNCTION, "hello"));
        event.outcome().getCommands().add(Command.closeConversation());
        // the route has removed every header before (commands.camel.yaml; RoutesTest sees the records)
        Map<String, Object> headers = new HashMap<>();
        JsonNode record = mapper.readTree(records.toRecord(event, null, null, "closeConversation", headers));
        assertThat(record.path("type").asText()).isEqualTo("closeConversation");
        assertThat(headers).containsOnly(Map.entry(KafkaConstants.KEY, "conv-1"), Map.entry("traceparent", event.trace().traceparent()));
        assertThat(event.outcome().getWritten()).containsExactly(Command.closeConversation());
    }

    @Test
    void sourceIdsAreNameBasedUuids() {
        assertThat(SourceIds.of("events", 3, 7, "transfer"))
                .isEqualTo(java.util.UUID.nameUUIDFromBytes("events/3/7/transfer".getBytes(StandardCharsets.UTF_8)).toString());
    }

    @Test
    void theCommandIdDependsOnlyOnTheSourceRecordAndTheType() {
        assertThat(CommandRecords.commandId(event(7), Command.transfer("1", null))).isEqualTo(CommandRecords.commandId(event(7), Command.transfer("1", null)));
        assertThat(CommandRecords.commandId(event(7), Command.transfer("1", null))).isNotEqualTo(CommandRecords.commandId(event(8), Command.transfer("1", null)));
        assertThat(CommandRecords.commandId(event(7), Command.transfer("1", null))).isNotEqualTo(CommandRecords.commandId(event(7), Command.systemMessage(Command.Origin.FUNCTION, "hi")));
    }
}
