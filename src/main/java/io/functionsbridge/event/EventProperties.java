package io.functionsbridge.event;

import io.functionsbridge.reply.Command;
import org.apache.camel.Exchange;

/**
 * Publishes what the routes decide on as plain exchange properties, so that the YAML reads
 * {@code ${exchangeProperty.functionUrl}} rather than calling into the event object. (Simple
 * expressions that call methods copy the whole exchange on every evaluation; with a dozen of them
 * per event that was the largest single cost of the bridge.) This is the one bean that knows
 * Camel's {@link Exchange}; the others stay plain.
 *
 * <p>Properties: {@code cbotEventType}, {@code convId}, {@code hasFunction}, {@code functionUrl},
 * {@code timeoutMs}, {@code requestId}, {@code authorization}, {@code commands}, {@code deadLettered}; and, on a command
 * exchange, {@code commandType}.
 */
public final class EventProperties {

    /** The exchange property that carries the {@link BridgeEvent}. */
    public static final String EVENT = "event";

    /** The exchange property holding the event's per-attempt timeout in milliseconds (read by the HTTP binding). */
    public static final String TIMEOUT_MS = "timeoutMs";

    /** Copies the event's current facts to exchange properties. */
    public void expose(Exchange exchange) {
        BridgeEvent event = exchange.getProperty(EVENT, BridgeEvent.class);
        exchange.setProperty("cbotEventType", event.getEventType());
        exchange.setProperty("convId", event.getConvId());
        exchange.setProperty("hasFunction", event.hasFunction());
        exchange.setProperty("functionUrl", event.getFunctionUrl());
        exchange.setProperty(TIMEOUT_MS, event.getTimeoutMs());
        exchange.setProperty("requestId", event.getRequestId());
        exchange.setProperty("authorization", event.getAuthorization());
        exchange.setProperty("commands", event.getCommands());
        exchange.setProperty("deadLettered", event.isDeadLettered());
    }

    /** On the exchange of one command (the body): its type's wire name as {@code commandType}. */
    public void exposeCommand(Exchange exchange) {
        exchange.setProperty("commandType", exchange.getMessage().getBody(Command.class).type().wireName());
    }
}
