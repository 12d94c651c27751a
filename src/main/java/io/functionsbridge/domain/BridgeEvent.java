package io.functionsbridge.domain;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One record on its way through the routes: where it came from, what it says, the function it
 * was given to, and how that ended. It is read once, on the way in, and travels as the exchange
 * property {@code event}, so that no state travels in message headers (they are stripped at every
 * boundary).
 */
public final class BridgeEvent {

    /** The exchange property that carries the event through the routes. */
    public static final String PROPERTY = "event";

    /**
     * The record header saying that the event's automatic message was written already: set on a
     * dead letter whose event wrote it, and carried by its redrive, so that a redriven event does
     * not write it again.
     */
    public static final String AUTO_MESSAGE_WRITTEN = "bridgeAutoMessageWritten";

    /**
     * Which input the record came from, and so what becomes of a function's reply: messaging
     * replies are commands, transcript replies are sendTranscript commands, chat and survey replies
     * are read and not executed, and a gateway caller gets the reply as it is.
     */
    public enum Channel {
        MESSAGING(FunctionsEvent.Reply.COMMANDS),
        CHAT(FunctionsEvent.Reply.READ_ONLY),
        SURVEY(FunctionsEvent.Reply.READ_ONLY),
        TRANSCRIPT(FunctionsEvent.Reply.TRANSCRIPTS),
        GATEWAY(FunctionsEvent.Reply.RESULT);

        private final FunctionsEvent.Reply reply;

        Channel(FunctionsEvent.Reply reply) {
            this.reply = reply;
        }

        public FunctionsEvent.Reply reply() {
            return reply;
        }
    }

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

    private Map<String, byte[]> recordHeaders = Map.of();

    private String functionsEvent;
    private FunctionDefinition function;
    private AutoMessage autoMessage;
    private boolean retried = true;
    private long deadlineNanos;
    private String givenRequestId;
    private List<BridgeEvent> invocations = List.of();

    private String requestId;
    private int timeoutMs;
    private byte[] envelope;
    private int attempts;
    private long invocationNanos;
    private long invocationStartNanos;
    private long invokedAtMillis;
    private boolean circuitOpen;
    private byte[] reply;
    private boolean replied;

    private final List<Command> commands = new ArrayList<>(2);
    private boolean messageSuppressed;
    private int readOnlyReplyCommands;
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

    /** Whether a function's reply is read and counted but not executed (chat, surveys). */
    public boolean isReadOnly() {
        return channel.reply() == FunctionsEvent.Reply.READ_ONLY;
    }

    /** Whether the event can have the account's automatic message (messaging only). */
    public boolean takesAutoMessages() {
        return channel == Channel.MESSAGING;
    }

    /**
     * The same record given to another of its event's functions: an event whose functions are all
     * called (the transcript event, the gateway's invoke by event) has one invocation per function,
     * each with its own attempts, reply, commands and dead letter.
     */
    public BridgeEvent invocationOf(FunctionDefinition other) {
        BridgeEvent invocation = new BridgeEvent(channel, sourceTopic, sourcePartition, sourceOffset, key, value);
        invocation.read(eventType, convId, skillId, payloadStart, payloadEnd);
        invocation.recordHeaders = recordHeaders;
        invocation.functionsEvent = functionsEvent;
        invocation.retried = retried;
        invocation.deadlineNanos = deadlineNanos;
        invocation.givenRequestId = givenRequestId;
        invocation.function = other;
        return invocation;
    }

    /** The invocations of an event whose functions are all called; empty for any other. */
    public List<BridgeEvent> getInvocations() {
        return invocations;
    }

    public void setInvocations(List<BridgeEvent> invocations) {
        this.invocations = List.copyOf(invocations);
    }

    /** Whether a failed call may be retried (the transcript event's are not). */
    public boolean isRetried() {
        return retried;
    }

    public void setRetried(boolean retried) {
        this.retried = retried;
    }

    /** The gateway request's deadline ({@link System#nanoTime()}), or 0 when the event has none. */
    public void setDeadlineNanos(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /** Milliseconds left before the deadline (at least 0), or {@link Long#MAX_VALUE} without one. */
    public long remainingMillis() {
        if (deadlineNanos == 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
    }

    /** Whether the event had a deadline and it has passed. */
    public boolean isPastDeadline() {
        return deadlineNanos != 0 && System.nanoTime() - deadlineNanos >= 0;
    }

    /** The X-Request-ID a gateway caller gave, or {@code null}: the calls then carry it. */
    public String getGivenRequestId() {
        return givenRequestId;
    }

    public void setGivenRequestId(String givenRequestId) {
        this.givenRequestId = givenRequestId;
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

    /** The record's headers, unchanged: a dead letter carries them, and a redrive publishes them again. */
    public Map<String, byte[]> getRecordHeaders() {
        return recordHeaders;
    }

    public void setRecordHeaders(Map<String, byte[]> recordHeaders) {
        this.recordHeaders = recordHeaders;
    }

    /** The dead letter a redriven record republishes ({@code bridgeRedriveOf}), or {@code null}. */
    public String getRedriveOf() {
        byte[] of = recordHeaders.get("bridgeRedriveOf");
        return of == null ? null : new String(of, StandardCharsets.UTF_8);
    }

    /** Whether the record says its event's automatic message was written already (a redriven dead letter). */
    public boolean isAutoMessageWrittenBefore() {
        return recordHeaders.containsKey(AUTO_MESSAGE_WRITTEN);
    }

    /** Whether this event wrote its automatic message, or one written before says so. */
    public boolean isAutoMessageWritten() {
        if (isAutoMessageWrittenBefore()) {
            return true;
        }
        for (Command command : commands) {
            if (command.origin() == Command.Origin.AUTO_MESSAGE) {
                return true;
            }
        }
        return false;
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
    public void prepareInvocation(String requestId, int timeoutMs, byte[] envelope, long invokedAtMillis) {
        this.invokedAtMillis = invokedAtMillis;
        this.requestId = requestId;
        this.timeoutMs = timeoutMs;
        this.envelope = envelope;
        this.invocationStartNanos = System.nanoTime();
    }

    /** When the first attempt started (epoch milliseconds): the envelope's timestamp. */
    public long getInvokedAtMillis() {
        return invokedAtMillis;
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
        boolean deadLettered = deadLetterReason != null;
        boolean anyCommands = !commands.isEmpty();
        for (BridgeEvent invocation : invocations) {
            deadLettered |= invocation.isDeadLettered();
            anyCommands |= !invocation.getCommands().isEmpty();
        }
        if (deadLettered) {
            return "dead_letter";
        }
        return anyCommands ? "commands" : "no_commands";
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

    public int getReadOnlyReplyCommands() {
        return readOnlyReplyCommands;
    }

    public void setReadOnlyReplyCommands(int readOnlyReplyCommands) {
        this.readOnlyReplyCommands = readOnlyReplyCommands;
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
