package io.functionsbridge.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.SourceIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Headers;
import org.apache.camel.component.kafka.KafkaConstants;

/** Writes the command records of the commands topic (docs/contract.md). */
public final class CommandRecords {

    private final JsonFactory json = new JsonFactory();

    /**
     * The record of the event's command of that type (a wire name: {@code systemMessage}...): its
     * JSON value as the body, keyed by the conversation. The record carries no other header.
     */
    public byte[] toRecord(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @Body String type, @Headers Map<String, Object> headers) {
        headers.clear();
        headers.put(KafkaConstants.KEY, event.getConvId());
        for (Command command : event.getCommands()) {
            if (command.type().wireName().equals(type)) {
                return value(event, command);
            }
        }
        throw new IllegalArgumentException("the event has no " + type + " command");
    }

    /**
     * The type (wire name) of the event's command the routes' loop is at ({@code CamelLoopIndex}):
     * the commands in the contract's order, one by one.
     */
    public String commandType(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeProperty(Exchange.LOOP_INDEX) int index) {
        return event.getCommands().get(index).type().wireName();
    }

    /** The record value of one command: JSON in UTF-8 (streamed: one per command, on the hot path). */
    public byte[] value(BridgeEvent event, Command command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator record = json.createGenerator(bytes)) {
            record.writeStartObject();
            record.writeStringField("commandId", commandId(event, command.type()));
            record.writeStringField("type", command.type().wireName());
            record.writeStringField("convId", event.getConvId());
            switch (command.type()) {
                case SYSTEM_MESSAGE -> record.writeStringField("text", command.text());
                case TRANSFER -> {
                    if (command.skillId() != null) {
                        record.writeStringField("skillId", command.skillId());
                    }
                    if (command.agentId() != null) {
                        record.writeStringField("agentId", command.agentId());
                    }
                }
                case CLOSE_CONVERSATION -> {
                    // no arguments
                }
            }
            record.writeStringField("origin", command.origin().wireName());
            if (command.origin() == Command.Origin.FUNCTION) {
                record.writeStringField("functionId", event.getFunction().id());
            }
            record.writeStringField("eventId", event.getFunctionsEvent());
            record.writeStringField("cbotEventType", event.getEventType());
            record.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a command record", e);
        }
        return bytes.toByteArray();
    }

    /** Derived from the source record and the command type: handling the record again gives the same id. */
    public static String commandId(BridgeEvent event, Command.Type type) {
        return SourceIds.of(event.getSourceTopic(), event.getSourcePartition(), event.getSourceOffset(), type.wireName());
    }
}
