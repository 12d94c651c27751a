package io.functionsbridge.domain;

/** The {@code bridgeErrorReason} header values of dead letters (docs/contract.md). */
public enum DeadLetterReason {
    MALFORMED_JSON,
    MISSING_EVENT_TYPE,
    UNKNOWN_EVENT_TYPE,
    /** Extension: an event with neither {@code general.convId} nor a record key names no conversation. */
    MISSING_CONVERSATION_ID,
    FUNCTION_FAILED,
    FUNCTION_REJECTED,
    INVALID_REPLY,
    /** Extension: the bridge itself failed on the record (a bug); the message says where. */
    BRIDGE_ERROR;

    private static final int MAX_QUOTE_LENGTH = 300;

    /**
     * Whether this reason's message may quote the record (a parser's complaint, an unknown type, an
     * exception's message): such a message stays out of INFO log lines.
     */
    public boolean quotesTheRecord() {
        return this == MALFORMED_JSON || this == MISSING_EVENT_TYPE || this == UNKNOWN_EVENT_TYPE || this == MISSING_CONVERSATION_ID
                || this == BRIDGE_ERROR;
    }

    /**
     * A text quoted in a dead letter's message (a parser's complaint, a bad value): on one line, and
     * cut at 300 characters.
     */
    public static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= MAX_QUOTE_LENGTH ? line : line.substring(0, MAX_QUOTE_LENGTH) + "...";
    }
}
