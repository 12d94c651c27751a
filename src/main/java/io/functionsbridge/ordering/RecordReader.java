package io.functionsbridge.ordering;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads each record once, on the way in, into what the route receives: the {@code reader} option of
 * {@code ordered-kafka}. The consumer orders records by what {@link #orderingKey} says, so a record
 * can belong to the key its value names.
 *
 * <p>Without a reader the route gets the record's value as the body, its headers and camel-kafka's
 * {@code kafka.*} headers, and records are ordered by their Kafka key.
 *
 * @param <T> what a record is read into
 */
public interface RecordReader<T> {

    /** Reads a record; called once per record, on the poll thread. Must not throw: an unreadable record is read into an item that says so. */
    T read(ConsumerRecord<byte[], byte[]> record);

    /** The key the item is ordered by within its partition; {@code null}: ordered with nothing. */
    Object orderingKey(T item);

    /** The exchange properties the route starts with (the item is also the body). */
    Map<String, Object> properties(T item);
}
