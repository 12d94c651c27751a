package io.functionsbridge.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.domain.Command;
import io.functionsbridge.domain.Delivery;
import io.functionsbridge.domain.SourceIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
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
     * The record of the event's command of that type (a wire name: {@code systemMessage}...): the
     * one the routes' loop is at, else the first of that type; its JSON value as the body, the
     * conversation as the record key, and the event's {@code traceparent} and {@code tracestate}
     * (the route has removed every other header), and its delivery's tag for the producer. The
     * command counts as written. Not once its partition is revoked: PartitionRevokedException.
     */
    public byte[] toRecord(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeProperty(Exchange.LOOP_INDEX) Integer index,
            @ExchangeProperty(Delivery.PROPERTY) Delivery delivery, @Body String type, @Headers Map<String, Object> headers) {
        DeadLetters.tag(delivery, headers, "a command record");
        headers.put(KafkaConstants.KEY, event.record().convId());
        event.trace().putInto(headers);
        Command command = commandOfType(event.outcome().getCommands(), index, type);
        event.outcome().written(command);
        return value(event, command);
    }

    private static Command commandOfType(List<Command> commands, Integer index, String type) {
        if (index != null && index < commands.size() && commands.get(index).type().wireName().equals(type)) {
            return commands.get(index);
        }
        for (Command command : commands) {
            if (command.type().wireName().equals(type)) {
                return command;
            }
        }
        throw new IllegalArgumentException("the event has no " + type + " command");
    }

    /** How many commands the event has: the routes' loop over them counts with this, and writes them one by one. */
    public int count(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event) {
        return event.outcome().getCommands().size();
    }

    /**
     * The type (wire name) of the event's command the routes' loop is at ({@code CamelLoopIndex}):
     * the commands in the contract's order, one by one.
     */
    public String commandType(@ExchangeProperty(BridgeEvent.PROPERTY) BridgeEvent event, @ExchangeProperty(Exchange.LOOP_INDEX) int index) {
        return event.outcome().getCommands().get(index).type().wireName();
    }

    /** The record value of one command: JSON in UTF-8 (streamed: one per command, on the hot path). */
    public byte[] value(BridgeEvent event, Command command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator record = json.createGenerator(bytes)) {
            record.writeStartObject();
            record.writeStringField("commandId", commandId(event, command));
            record.writeStringField("type", command.type().wireName());
            record.writeStringField("convId", event.record().convId());
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
                case SEND_TRANSCRIPT -> {
                    Command.Transcript transcript = command.transcript();
                    record.writeStringField("targetEmail", transcript.targetEmail());
                    writeIfSet(record, "senderName", transcript.senderName());
                    writeIfSet(record, "senderEmail", transcript.senderEmail());
                    writeIfSet(record, "subject", transcript.subject());
                }
            }
            record.writeStringField("origin", command.origin().wireName());
            if (command.origin() == Command.Origin.FUNCTION) {
                record.writeStringField("functionId", event.invocation().getFunction().id());
            }
            record.writeStringField("eventId", event.invocation().getFunctionsEvent());
            if (event.record().isCbotEvent()) {
                record.writeStringField("cbotEventType", event.record().eventType());
            }
            record.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a command record", e);
        }
        return bytes.toByteArray();
    }

    private static void writeIfSet(JsonGenerator record, String field, String value) throws IOException {
        if (value != null) {
            record.writeStringField(field, value);
        }
    }

    /**
     * Derived from the source record and the command type (for a sendTranscript, also its function
     * and its entry in the reply, as a record can have several): handling the record again gives
     * the same id.
     */
    public static String commandId(BridgeEvent event, Command command) {
        String what = command.type() == Command.Type.SEND_TRANSCRIPT
                ? command.type().wireName() + "/" + event.invocation().getFunctionId() + "/" + command.transcript().entry()
                : command.type().wireName();
        return SourceIds.of(event.record().topic(), event.record().partition(), event.record().offset(), what);
    }
}
