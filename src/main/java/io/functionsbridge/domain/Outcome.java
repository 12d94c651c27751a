package io.functionsbridge.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * How an event ends: the commands its reply (and its automatic message) gave, those written, a
 * read-only reply's count, and its dead letter. Written by the reply's normaliser, the automatic
 * messages, the command records and the dead letters.
 */
public final class Outcome {

    private final List<Command> commands = new ArrayList<>(2);
    private final List<Command> written = new ArrayList<>(2);
    private boolean messageSuppressed;
    private int notExecuted = -1;
    private DeadLetterReason deadLetterReason;
    private String deadLetterMessage;

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

    /**
     * The commands written, in the order written: the outcome line and the metrics count these,
     * not the commands the reply had (one without a route is not written).
     */
    public List<Command> getWritten() {
        return written;
    }

    /**
     * The command's record is built and is the next step's to write. A failure to write fails the
     * whole event, which is then handled again: no outcome is counted for it.
     */
    public void written(Command command) {
        written.add(command);
    }

    /** The function's systemMessage had {@code text: []}: no message, not even the automatic one. */
    public boolean isMessageSuppressed() {
        return messageSuppressed;
    }

    public void setMessageSuppressed(boolean messageSuppressed) {
        this.messageSuppressed = messageSuppressed;
    }

    /** Whether the reply was read and counted, not executed (chat, surveys). */
    public boolean isReadOnly() {
        return notExecuted >= 0;
    }

    /** How many commands a read-only reply had. */
    public int getNotExecuted() {
        return Math.max(0, notExecuted);
    }

    public void readOnly(int commands) {
        this.notExecuted = commands;
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
}
