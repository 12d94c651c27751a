package io.functionsbridge.domain;

import java.util.List;

/**
 * The headers a dead letter carries besides the original record's (docs/contract.md): why it is
 * there and where the record came from. The one list: the bridge writes them, and a redrive does
 * not publish them again.
 */
public final class DeadLetterHeaders {

    public static final String REASON = "bridgeErrorReason";
    public static final String MESSAGE = "bridgeErrorMessage";
    public static final String ATTEMPTS = "bridgeAttempts";
    public static final String FUNCTION_ID = "bridgeFunctionId";
    public static final String SOURCE_TOPIC = "bridgeSourceTopic";
    public static final String SOURCE_PARTITION = "bridgeSourcePartition";
    public static final String SOURCE_OFFSET = "bridgeSourceOffset";

    /** The diagnosis headers, in the order they are written. */
    public static final List<String> DIAGNOSIS = List.of(REASON, MESSAGE, ATTEMPTS, FUNCTION_ID, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET);

    private DeadLetterHeaders() {
    }
}
