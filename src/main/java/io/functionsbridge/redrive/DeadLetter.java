package io.functionsbridge.redrive;

import io.functionsbridge.domain.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * A dead letter as the redrive reads it: where it is, what its headers say, and the record to
 * publish again.
 */
record DeadLetter(ConsumerRecord<byte[], byte[]> record) {

    static final String REDRIVE_OF = "bridgeRedriveOf";
    static final String REDRIVE_COUNT = "bridgeRedriveCount";

    /** {@code <dead-letter topic>/<partition>/<offset>}: what a redrive of it is of. */
    String coordinates() {
        return record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    String reason() {
        return header(DeadLetterHeaders.REASON);
    }

    String function() {
        return header(DeadLetterHeaders.FUNCTION_ID);
    }

    String sourceTopic() {
        return header(DeadLetterHeaders.SOURCE_TOPIC);
    }

    String keyText() {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }

    Instant writtenAt() {
        return Instant.ofEpochMilli(record.timestamp());
    }

    /** How many times its event was redriven before it failed this time (0 for an original). */
    int redriveCount() {
        String count = header(REDRIVE_COUNT);
        try {
            return count == null ? 0 : Integer.parseInt(count.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    String header(String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The diagnosis headers the bridge set on the dead letter: not published again. */
    static boolean isDiagnosis(String name) {
        return DeadLetterHeaders.DIAGNOSIS.contains(name) || name.equals(REDRIVE_OF) || name.equals(REDRIVE_COUNT);
    }
}
