package io.functionsbridge.ordering;

import io.functionsbridge.domain.Delivery;

/**
 * One record's handling by its consumer, in one ownership of its partition ({@link Delivery}): it
 * may act while that ownership lasts, and its records carry its tag to its consumer's
 * {@link EventWrites}.
 */
final class EventDelivery implements Delivery {

    /** A partition as its consumer holds it: from its assignment to its revocation (or a rewind). */
    static final class Ownership {
        private volatile boolean revoked;

        boolean held() {
            return !revoked;
        }

        void revoke() {
            revoked = true;
        }
    }

    private final String topic;
    private final int partition;
    private final long offset;
    private final long seq;
    private final Ownership ownership;
    private final String tag;

    EventDelivery(String topic, int partition, long offset, long seq, Ownership ownership, String tag) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.seq = seq;
        this.ownership = ownership;
        this.tag = tag;
    }

    @Override
    public boolean owned() {
        return ownership.held();
    }

    @Override
    public String tag() {
        return tag;
    }

    int partition() {
        return partition;
    }

    long seq() {
        return seq;
    }

    String describe() {
        return topic + "/" + partition + "@" + offset;
    }
}
