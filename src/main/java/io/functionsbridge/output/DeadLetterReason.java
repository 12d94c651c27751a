package io.functionsbridge.output;

/** The {@code bridgeErrorReason} header values of dead letters (CONTRACT §7). */
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
    BRIDGE_ERROR
}
