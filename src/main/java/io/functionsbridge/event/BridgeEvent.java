package io.functionsbridge.event;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.functionsbridge.output.DeadLetterReason;
import io.functionsbridge.registry.FunctionDefinition;
import io.functionsbridge.reply.Command;
import java.util.ArrayList;
import java.util.List;

/**
 * One record on its way through the routes: where it came from, what it says, the function it
 * was given to, and how that ended. Kept in the exchange property {@code event}, so that no state
 * travels in message headers (they are stripped at every boundary).
 */
public final class BridgeEvent {

    /** Which input the record came from. */
    public enum Channel { MESSAGING, CHAT }

    private final Channel channel;
    private final String sourceTopic;
    private final int sourcePartition;
    private final long sourceOffset;
    private final byte[] key;
    private final byte[] value;

    private ObjectNode payload;
    private String convId;
    private String eventType;
    private String skillId;
    private String functionsEvent;
    private FunctionDefinition function;

    private String requestId;
    private int timeoutMs;
    private byte[] envelope;
    private int attempts;
    private long invocationNanos;
    private long invocationStartNanos;
    private byte[] reply;
    private boolean replied;

    private final List<Command> commands = new ArrayList<>();
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

    /** The record's value, unchanged (may be {@code null}). */
    public byte[] getValue() {
        return value;
    }

    public ObjectNode getPayload() {
        return payload;
    }

    void setPayload(ObjectNode payload) {
        this.payload = payload;
    }

    public String getConvId() {
        return convId;
    }

    void setConvId(String convId) {
        this.convId = convId;
    }

    /** The {@code cbotEventType} of a messaging event, the {@code eventId} of a chat event. */
    public String getEventType() {
        return eventType;
    }

    void setEventType(String eventType) {
        this.eventType = eventType;
    }

    public String getSkillId() {
        return skillId;
    }

    void setSkillId(String skillId) {
        this.skillId = skillId;
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

    public String getFunctionId() {
        return function == null ? null : function.id();
    }

    public String getFunctionUrl() {
        return function == null ? null : function.url();
    }

    /** The function's {@code Authorization} header value, or {@code null}. */
    public String getAuthorization() {
        return function == null ? null : function.authorization();
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
        return commands.stream().anyMatch(c -> c.type() == Command.Type.SYSTEM_MESSAGE);
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
