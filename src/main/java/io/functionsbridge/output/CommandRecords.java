package io.functionsbridge.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.event.BridgeEvent;
import io.functionsbridge.reply.Command;

/** Writes the command records of the commands topic (CONTRACT §6). */
public final class CommandRecords {

    private final ObjectMapper mapper = new ObjectMapper();

    /** The record value of one command, as JSON text. */
    public String toRecord(BridgeEvent event, Command command) {
        ObjectNode record = mapper.createObjectNode();
        record.put("commandId", commandId(event, command.type()));
        record.put("type", command.type().wireName());
        record.put("convId", event.getConvId());
        switch (command.type()) {
            case SYSTEM_MESSAGE -> record.put("text", command.text());
            case TRANSFER -> {
                if (command.skillId() != null) {
                    record.put("skillId", command.skillId());
                }
                if (command.agentId() != null) {
                    record.put("agentId", command.agentId());
                }
            }
            case CLOSE_CONVERSATION -> {
                // no arguments
            }
        }
        record.put("origin", command.origin().wireName());
        if (command.origin() == Command.Origin.FUNCTION) {
            record.put("functionId", event.getFunction().id());
        }
        record.put("eventId", event.getFunctionsEvent());
        record.put("cbotEventType", event.getEventType());
        try {
            return mapper.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a command record", e);
        }
    }

    /** Derived from the source record and the command type: handling the record again gives the same id. */
    public static String commandId(BridgeEvent event, Command.Type type) {
        return SourceIds.of(event.getSourceTopic(), event.getSourcePartition(), event.getSourceOffset(), type.wireName());
    }
}
