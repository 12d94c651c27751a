package io.functionsbridge.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One record on its way through the routes: where it came from, what it says, the function it
 * was given to, and how that ended. It is read once, on the way in, and travels as the exchange
 * property {@code event}, so that no state travels in message headers (they are stripped at every
 * boundary).
 */
public final class BridgeEvent {

    /** The exchange property that carries the event through the routes. */
    public static final String PROPERTY = "event";

    /** Which input the record came from. */
    public enum Channel { MESSAGING, CHAT }

    private final Channel channel;
    private final String sourceTopic;
    private final int sourcePartition;
    private final long sourceOffset;
    private final byte[] key;
    private final byte[] value;

    private String convId;
    private String eventType;
    private String skillId;
    private int payloadStart;
    private int payloadEnd;
    private RejectedEventException refusal;

    private String functionsEvent;
    private FunctionDefinition function;
    private AutoMessage autoMessage;

    private String requestId;
    private int timeoutMs;
    private byte[] envelope;
    private int attempts;
    private long invocationNanos;
    private long invocationStartNanos;
    private boolean circuitOpen;
    private byte[] reply;
    private boolean replied;

    private final List<Command> commands = new ArrayList<>(2);
    private boolean messageSuppressed;
    private int chatReplyCommands;
    private DeadLetterReason deadLetterReason;
    private String deadLetterMessage;

    public BridgeEvent(Channel channel, String sourceTopic, int sourcePartition, long sourceOffset, byte[] key, byte[] value) {
        this.channel = channel;
        this.sourceTopic = sourceTopic;
        this.sourcePartition = sourcePartition;
        this.sourceOffset = sourceOffset;
        this.key = key;
        this.value = value;
    }

    /**
     * What reading the record found: its type ({@code cbotEventType}, or the chat {@code eventId}),
     * conversation, skill, and where in the value the payload object is.
     */
    public void read(String eventType, String convId, String skillId, int payloadStart, int payloadEnd) {
        this.eventType = eventType;
        this.convId = convId;
        this.skillId = skillId;
        this.payloadStart = payloadStart;
        this.payloadEnd = payloadEnd;
    }

    /** The record could not be read: it goes to the dead letter topic with this reason. */
    public void refuse(RejectedEventException refusal) {
        this.refusal = refusal;
        deadLetter(refusal.reason(), refusal.getMessage());
    }

    /** Why the record could not be read, or {@code null} when it was. */
    public RejectedEventException getRefusal() {
        return refusal;
    }

    /** Whether the record was read into an event the routes can route. */
    public boolean isReadable() {
        return refusal == null;
    }

    public Channel getChannel() {
        return channel;
    }

    public boolean isChat() {
        return channel == Channel.CHAT;
    }

    public String getSourceTopic() {
        return sourceTopic;
    }

    public int getSourcePartition() {
        return sourcePartition;
    }

    public long getSourceOffset() {
        return sourceOffset;
    }

    /** The record's key, unchanged (may be {@code null}). */
    public byte[] getKey() {
        return key;
    }

    /** The record key as text, or {@code null}. */
    public String getKeyText() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** The record's value, unchanged (may be {@code null}). */
    public byte[] getValue() {
        return value;
    }

    /** The payload object's JSON, as the record holds it (the whole value, or the envelope's payload). */
    public byte[] getPayload() {
        return Arrays.copyOfRange(value, payloadStart, payloadEnd);
    }

    /** Where the payload object starts in the value. */
    public int getPayloadStart() {
        return payloadStart;
    }

    /** Where it ends (exclusive). */
    public int getPayloadEnd() {
        return payloadEnd;
    }

    public String getConvId() {
        return convId;
    }

    /** The {@code cbotEventType} of a messaging event, the {@code eventId} of a chat event. */
    public String getEventType() {
        return eventType;
    }

    public String getSkillId() {
        return skillId;
    }

    public String getFunctionsEvent() {
        return functionsEvent;
    }

    public void setFunctionsEvent(String functionsEvent) {
        this.functionsEvent = functionsEvent;
    }

    public FunctionDefinition getFunction() {
        return function;
    }

    public void setFunction(FunctionDefinition function) {
        this.function = function;
    }

    /** The automatic message in force when the event was enriched, or {@code null} when there is none. */
    public AutoMessage getAutoMessage() {
        return autoMessage;
    }

    public void setAutoMessage(AutoMessage autoMessage) {
        this.autoMessage = autoMessage;
    }

    public String getFunctionId() {
        return function == null ? null : function.id();
    }

    public boolean hasFunction() {
        return function != null;
    }

    public String getRequestId() {
        return requestId;
    }

    public int getTimeoutMs() {
        return timeoutMs;
    }

    public byte[] getEnvelope() {
        return envelope;
    }

    /** Fixes what stays the same over every attempt of the call. */
    public void prepareInvocation(String requestId, int timeoutMs, byte[] envelope) {
        this.requestId = requestId;
        this.timeoutMs = timeoutMs;
        this.envelope = envelope;
        this.invocationStartNanos = System.nanoTime();
    }

    public int getAttempts() {
        return attempts;
    }

    public void countAttempt() {
        attempts++;
    }

    /** Time from the first attempt to the end of the last one, in milliseconds. */
    public long getInvocationMillis() {
        return invocationNanos / 1_000_000;
    }

    /** Time from the first attempt to the end of the last one, in nanoseconds. */
    public long getInvocationNanos() {
        return invocationNanos;
    }

    /** The function's circuit breaker was open: the event is dead-lettered without a call. */
    public void circuitOpen(String message) {
        circuitOpen = true;
        deadLetter(DeadLetterReason.FUNCTION_FAILED, message);
    }

    /**
     * How the event's invocation ended, for the metrics: {@code null} when no function was
     * called (none deployed, or the event was refused before); {@code circuit_open} when its breaker
     * refused the call; else {@code failed}, {@code rejected}, {@code invalid_reply} or {@code ok}.
     */
    public String invocationResult() {
        if (circuitOpen) {
            return "circuit_open";
        }
        if (attempts == 0) {
            return null;
        }
        if (deadLetterReason == null) {
            return "ok";
        }
        return switch (deadLetterReason) {
            case FUNCTION_FAILED -> "failed";
            case FUNCTION_REJECTED -> "rejected";
            case INVALID_REPLY -> "invalid_reply";
            default -> "ok";
        };
    }

    /** The event's outcome, for the metrics: {@code dead_letter}, else {@code commands} or {@code no_commands}. */
    public String outcome() {
        if (deadLetterReason != null) {
            return "dead_letter";
        }
        return commands.isEmpty() ? "no_commands" : "commands";
    }

    public void invocationEnded() {
        invocationNanos = System.nanoTime() - invocationStartNanos;
    }

    public byte[] getReply() {
        return reply;
    }

    /** Whether the function answered with a 2xx (its body may still be unusable). */
    public boolean isReplied() {
        return replied;
    }

    public void setReply(byte[] reply) {
        this.reply = reply;
        this.replied = true;
    }

    /** The commands to write, in the contract's order. */
    public List<Command> getCommands() {
        return commands;
    }

    public boolean hasSystemMessage() {
        for (Command command : commands) {
            if (command.type() == Command.Type.SYSTEM_MESSAGE) {
                return true;
            }
        }
        return false;
    }

    /** The function's systemMessage had {@code text: []}: no message, not even the automatic one. */
    public boolean isMessageSuppressed() {
        return messageSuppressed;
    }

    public void setMessageSuppressed(boolean messageSuppressed) {
        this.messageSuppressed = messageSuppressed;
    }

    public int getChatReplyCommands() {
        return chatReplyCommands;
    }

    public void setChatReplyCommands(int chatReplyCommands) {
        this.chatReplyCommands = chatReplyCommands;
    }

    public DeadLetterReason getDeadLetterReason() {
        return deadLetterReason;
    }

    public String getDeadLetterMessage() {
        return deadLetterMessage;
    }

    public boolean isDeadLettered() {
        return deadLetterReason != null;
    }

    public void deadLetter(DeadLetterReason reason, String message) {
        this.deadLetterReason = reason;
        this.deadLetterMessage = message;
    }

    /** A short text naming the record, for logs and error messages. */
    public String describe() {
        return sourceTopic + "/" + sourcePartition + "@" + sourceOffset;
    }
}
