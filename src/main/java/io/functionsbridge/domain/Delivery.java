package io.functionsbridge.domain;

/**
 * The handling of one input record by the consumer that owns its partition (docs/contract.md,
 * "Ordering and delivery"): whether it may still act, and, when the bridge writes in Kafka
 * transactions ({@code bridge.delivery=exactly-once}), the tag its records carry to theirs.
 *
 * <p>Once its partition is revoked the record starts no attempt and writes no record: the writers
 * and the function calls ask {@link #owned()} first, and fail with {@link PartitionRevokedException},
 * which sends the record back to its consumer, where it is given up (the partition's new owner
 * handles it).
 */
public interface Delivery {

    /** The exchange property that holds an event's delivery. */
    String PROPERTY = "bridgeDelivery";

    /** The header that tags a record for its event's transaction; the producer takes it off before writing. */
    String HEADER = "bridgeDelivery";

    /** Whether the consumer still owns the record's partition, as it did when it started the record. */
    boolean owned();

    /** The tag of the record's writes for their transaction, or {@code null} when the bridge writes outside transactions. */
    String tag();

    /** Fails with {@link PartitionRevokedException} when the record's partition is no longer owned. */
    default void requireOwned(String what) {
        if (!owned()) {
            throw new PartitionRevokedException(what);
        }
    }
}
