package io.functionsbridge.ordering;

import io.functionsbridge.domain.PartitionRevokedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;

/**
 * The records an input topic's events write (their commands and dead letters), through one producer
 * of the topic's consumer: the routes' kafka endpoints hand each record here ({@link
 * EventWritesClientFactory}), tagged with its event ({@link EventDelivery}).
 *
 * <p>A record of an event whose partition the consumer no longer owns is refused, so that a revoked
 * partition's former owner writes nothing for it; the sends under way per partition are counted, so
 * that a revocation can wait for them.
 *
 * <p>With {@code bridge.delivery=exactly-once} the producer is transactional, and the records, the
 * dead letters and the consumer's offsets go in one transaction, which {@link #commit} ends every
 * {@code transaction-ms}. An event's records are never split between two transactions: once a commit
 * has begun, only the events already writing in the transaction write in it; the others' records are
 * held, and sent in the next, once this one is committed. The commit takes the offsets when every
 * event that wrote in the transaction has finished, so each one's offset goes with its records. An
 * event that fails after writing leaves the transaction aborted; the consumer then reads again from
 * its last commit.
 *
 * <p>One lock guards the transaction's state: who writes in it, what is held, whether it is spoiled.
 */
final class EventWrites implements AutoCloseable {

    private static final Map<String, EventWrites> REGISTERED = new ConcurrentHashMap<>();

    /** How a commit ended. */
    enum Ended { COMMITTED, NOTHING, ABORTED }

    private final String key;
    private final Producer<byte[], byte[]> producer;
    private final boolean transactional;
    private final long writersTimeoutMs;
    private final Map<Long, EventDelivery> running = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> sending = new ConcurrentHashMap<>();

    // the open transaction (exactly-once), under this object's lock
    private boolean open;
    private boolean closing;
    private String spoiled;
    private final Set<Long> writers = new HashSet<>();
    private final List<Held> held = new ArrayList<>();

    private record Held(EventDelivery delivery, ProducerRecord<byte[], byte[]> record, Callback callback) {
    }

    /**
     * @param key              this consumer's, unique in the JVM: the prefix of its events' tags
     * @param writersTimeoutMs how long a commit waits for the events writing in its transaction to finish
     */
    EventWrites(String key, Producer<byte[], byte[]> producer, boolean transactional, long writersTimeoutMs) {
        this.key = key;
        this.producer = producer;
        this.transactional = transactional;
        this.writersTimeoutMs = writersTimeoutMs;
        REGISTERED.put(key, this);
    }

    /** The writes a tag names, or {@code null}. */
    static EventWrites of(String tag) {
        int bar = tag.indexOf('|');
        return bar < 0 ? null : REGISTERED.get(tag.substring(0, bar));
    }

    boolean isTransactional() {
        return transactional;
    }

    /** Makes the transactional producer ready (its earlier incarnations fenced); throws what the broker says. */
    void initTransactions() {
        producer.initTransactions();
    }

    /** An event starts: its records will carry its tag. */
    EventDelivery started(EventDelivery delivery) {
        running.put(delivery.seq(), delivery);
        return delivery;
    }

    /** The event's tag on its records. */
    String tag(long seq) {
        return key + "|" + seq;
    }

    /**
     * Writes one record of the event its tag names; the callback says how it went (a record of an
     * event whose partition is not owned any more fails at once, with PartitionRevokedException).
     */
    void send(String tag, ProducerRecord<byte[], byte[]> record, Callback callback) {
        EventDelivery delivery = running.get(Long.parseLong(tag.substring(tag.indexOf('|') + 1)));
        if (delivery == null || !delivery.owned()) {
            callback.onCompletion(null, new PartitionRevokedException("a record of " + (delivery == null ? "an event that ended"
                    : delivery.describe())));
            return;
        }
        if (transactional) {
            synchronized (this) {
                if (spoiled != null) {
                    callback.onCompletion(null, new KafkaException("the transaction is aborted: " + spoiled));
                    return;
                }
                if (closing && !writers.contains(delivery.seq())) {
                    held.add(new Held(delivery, record, callback));
                    return;
                }
                beginIfClosed();
                writers.add(delivery.seq());
            }
        }
        AtomicInteger underway = sending.computeIfAbsent(delivery.partition(), p -> new AtomicInteger());
        underway.incrementAndGet();
        try {
            producer.send(record, (metadata, failure) -> {
                underway.decrementAndGet();
                callback.onCompletion(metadata, failure);
            });
        } catch (RuntimeException e) {
            underway.decrementAndGet();
            callback.onCompletion(null, e);
        }
    }

    private void beginIfClosed() {
        if (!open) {
            producer.beginTransaction();
            open = true;
        }
    }

    /** The event has its outcome: its records are all written. */
    void finished(EventDelivery delivery) {
        running.remove(delivery.seq());
        if (transactional) {
            synchronized (this) {
                writers.remove(delivery.seq());
                notifyAll();
            }
        }
    }

    /**
     * The event failed, or was given up. One that failed while its partition was still owned spoils
     * the open transaction (whatever it wrote there must not be committed without it).
     */
    void failed(EventDelivery delivery, boolean spoils) {
        running.remove(delivery.seq());
        if (transactional) {
            synchronized (this) {
                if (writers.remove(delivery.seq()) && spoils && spoiled == null) {
                    spoiled = delivery.describe() + " failed after writing in the transaction";
                }
                notifyAll();
            }
        }
    }

    /** Waits, up to that long, until none of the partition's records is being sent. */
    void awaitSends(int partition, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        AtomicInteger underway = sending.get(partition);
        while (underway != null && underway.get() > 0 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    /**
     * Ends the open transaction (poll thread): waits for the events writing in it to finish, then
     * commits it with the offsets as they stand then. Offsets alone, when nothing was written but
     * they moved; nothing when neither. A failure aborts it.
     *
     * @param offsets what to commit, taken once every writer has finished; empty when nothing moved
     * @throws ProducerFencedException when a newer incarnation of this producer took over
     */
    Ended commit(Supplier<Map<TopicPartition, OffsetAndMetadata>> offsets, ConsumerGroupMetadata group) throws InterruptedException {
        synchronized (this) {
            closing = true;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(writersTimeoutMs);
            while (!writers.isEmpty() && spoiled == null && System.nanoTime() < deadline) {
                TimeUnit.NANOSECONDS.timedWait(this, deadline - System.nanoTime());
            }
            if (spoiled == null && !writers.isEmpty()) {
                spoiled = writers.size() + " events writing in the transaction did not finish within " + writersTimeoutMs + " ms";
            }
        }
        if (spoiled != null) {
            abort();
            return Ended.ABORTED;
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> moved = offsets.get();
            boolean wrote;
            synchronized (this) {
                wrote = open;
                if (!wrote && !moved.isEmpty()) {
                    beginIfClosed();
                }
            }
            if (!wrote && moved.isEmpty()) {
                reopen();
                return Ended.NOTHING;
            }
            if (!moved.isEmpty()) {
                producer.sendOffsetsToTransaction(moved, group);
            }
            producer.commitTransaction();
            synchronized (this) {
                open = false;
            }
            reopen();
            return Ended.COMMITTED;
        } catch (ProducerFencedException e) {
            throw e;
        } catch (KafkaException e) {
            synchronized (this) {
                spoiled = "the commit failed: " + e;
            }
            abort();
            return Ended.ABORTED;
        }
    }

    /** Why the last transaction was aborted. */
    synchronized String spoiledBy() {
        return spoiled;
    }

    /**
     * Aborts the open transaction: its records vanish, and those held for the next fail (their
     * events are read again from the last commit, as the aborted ones are).
     */
    void abort() {
        List<Held> dropped;
        synchronized (this) {
            if (spoiled == null) {
                spoiled = "aborted";
            }
            dropped = List.copyOf(held);
            held.clear();
            writers.clear();
        }
        for (Held each : dropped) {
            each.callback().onCompletion(null, new KafkaException("the transaction it was held for was aborted"));
        }
        boolean wasOpen;
        synchronized (this) {
            wasOpen = open;
            open = false;
        }
        if (wasOpen) {
            // a producer that cannot abort cannot go on: the consumer makes another (KafkaException)
            producer.abortTransaction();
        }
    }

    /** After an abort, once the consumer reads again from its last commit: a new transaction may begin. */
    synchronized void resume() {
        spoiled = null;
        closing = false;
    }

    /** The next transaction takes the records held while this one closed. */
    private void reopen() {
        List<Held> waiting;
        synchronized (this) {
            closing = false;
            waiting = List.copyOf(held);
            held.clear();
        }
        for (Held each : waiting) {
            send(tag(each.delivery().seq()), each.record(), each.callback());
        }
    }

    @Override
    public void close() {
        REGISTERED.remove(key, this);
        producer.close(Duration.ofSeconds(10));
    }
}
