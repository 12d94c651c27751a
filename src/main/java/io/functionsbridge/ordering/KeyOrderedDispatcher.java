package io.functionsbridge.ordering;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs records of different keys concurrently and records of one key strictly one after another,
 * in the order they were submitted, with at most {@code maxInFlight} running at once; and tracks,
 * per partition, the offset up to which everything is finished (the offset that is safe to commit)
 * and which records above it are finished.
 *
 * <p>Busiest first: when slots are scarce, the ready key with the most records waiting starts
 * first, and among keys with as many, the one whose record was submitted first. A backlog drains no
 * faster than its longest chain of one key's records, so the longest chains known start first
 * (with records taken in offset order alone, a backlog of interleaved conversations leaves slots
 * idle at its end, while a few long conversations finish one record at a time). How far ahead the
 * dispatcher sees is the read-ahead the consumer allows. A key with one record waits at most until
 * the longer chains ahead of it are as short as its own; the read-ahead bounds that.
 *
 * <p>The tasks handed to the executor are {@link Task}s that a priority queue orders oldest first,
 * so a conversation whose next record has been waiting behind its predecessor goes ahead of records
 * fetched since.
 *
 * <p>It knows nothing of Kafka or Camel: a record is a {@link Work} (partition, offset, key, item),
 * handed to a {@link Handler} that calls {@link #complete(Work)} when the record's outcome is
 * written, from whatever thread. A handler that cannot finish a record (its outcome could not be
 * written) simply tries again later: the key stays blocked, so its order is kept, while other keys go on.
 *
 * @param <T> what a record carries
 */
public final class KeyOrderedDispatcher<T> {

    /** Handles one record; must eventually call {@link #complete(Work)} for it. */
    @FunctionalInterface
    public interface Handler<T> {
        void handle(Work<T> work);
    }

    /**
     * A record: its partition, offset, ordering key (within the partition) and what it carries;
     * seq is the order in which it was submitted (across partitions), generation the partition's
     * ownership it was submitted under (a partition released and taken again is a new generation).
     */
    public record Work<T>(int partition, long offset, Object key, T item, long seq, int generation) {
    }

    /**
     * The handling of a record, as handed to the executor: comparable, oldest record first, so that
     * an executor with a priority queue (see {@link #oldestFirstQueue}) runs waiting tasks in that order.
     */
    public static final class Task implements Runnable, Comparable<Task> {
        private final long seq;
        private final Runnable body;

        public Task(Work<?> work, Runnable body) {
            this.seq = work.seq();
            this.body = body;
        }

        @Override
        public void run() {
            body.run();
        }

        @Override
        public int compareTo(Task other) {
            return Long.compare(seq, other.seq);
        }
    }

    /** A queue for a thread pool that runs {@link Task}s oldest first (it takes nothing else). */
    public static BlockingQueue<Runnable> oldestFirstQueue() {
        return new PriorityBlockingQueue<>();
    }

    private record QueueKey(int partition, Object key) {
    }

    /** A key whose head record waits for a slot: how many of its records wait, and the head's seq. */
    private record Ready(int waiting, long seq, QueueKey key) {
    }

    /** Most records waiting first, then oldest head first. */
    private static final Comparator<Ready> BUSIEST_FIRST =
            Comparator.comparingInt(Ready::waiting).reversed().thenComparingLong(Ready::seq);

    /**
     * The offsets of one partition that were submitted and are not finished, and those an earlier
     * owner finished above its commit (skipped when they come again). The unfinished ones are bits
     * counted from {@code base} (set: submitted and not finished), so that taking, finishing and
     * what to commit cost word operations, not a sorted set's.
     */
    private static final class PartitionOffsets {
        /** Past this many finished offsets below the lowest unfinished one, the bits are moved down. */
        private static final int REBASE_AT = 1 << 16;

        private BitSet unfinished = new BitSet();
        private long base = -1;
        // while base is set: the lowest unfinished offset's bit (none is set below it)
        private int lowest;
        private long next = -1;
        private FinishedOffsets finishedBefore = FinishedOffsets.none(0);

        void submitted(long offset) {
            if (base < 0) {
                base = offset;
                lowest = 0;
            } else if (offset < base) {
                // the position moved back (a log truncated, a seek): the bits are moved up to make room below
                BitSet moved = new BitSet();
                int by = Math.toIntExact(base - offset);
                for (int i = unfinished.nextSetBit(0); i >= 0; i = unfinished.nextSetBit(i + 1)) {
                    moved.set(i + by);
                }
                unfinished = moved;
                base = offset;
            }
            unfinished.set(index(offset));
            lowest = Math.min(lowest, index(offset));
            next = Math.max(next, offset + 1);
        }

        /** From the lowest unfinished record to the last read: what the finished-above bits span. */
        long span() {
            return base < 0 ? 0 : next - safeOffset();
        }

        void skipped(long offset) {
            next = Math.max(next, offset + 1);
            if (next >= finishedBefore.end()) {
                finishedBefore = FinishedOffsets.none(0);
            }
        }

        void finished(long offset) {
            if (base < 0 || offset < base) {
                return;
            }
            int index = index(offset);
            unfinished.clear(index);
            if (index != lowest) {
                return;
            }
            lowest = unfinished.nextSetBit(lowest);
            if (lowest < 0) {
                base = -1;
            } else if (lowest >= REBASE_AT) {
                unfinished = unfinished.get(lowest, unfinished.length());
                base += lowest;
                lowest = 0;
            }
        }

        private int index(long offset) {
            return Math.toIntExact(offset - base);
        }

        /** Everything below this offset is finished: the offset to commit (Kafka's "next to read"). */
        long safeOffset() {
            return base < 0 ? next : base + lowest;
        }

        /** The safe offset, and which records above it are finished (read here, or before). */
        FinishedOffsets progress() {
            long safe = safeOffset();
            BitSet bits = new BitSet();
            if (next > safe) {
                // safe is an unfinished offset here, so base is set: the complement of the unfinished bits
                int from = index(safe);
                int to = index(next);
                bits = unfinished.get(from, to);
                bits.flip(0, to - from);
            }
            BitSet before = finishedBefore.finished();
            for (int i = before.nextSetBit((int) Math.max(0, next - finishedBefore.base())); i >= 0; i = before.nextSetBit(i + 1)) {
                bits.set((int) (finishedBefore.base() + i - safe));
            }
            return new FinishedOffsets(safe, bits);
        }
    }

    private final int maxInFlight;
    private final Executor executor;
    private final Handler<T> handler;

    private final Map<QueueKey, ArrayDeque<Work<T>>> queues = new HashMap<>();
    private final TreeSet<Ready> ready = new TreeSet<>(BUSIEST_FIRST);
    private final Map<QueueKey, Ready> readyByKey = new HashMap<>();
    private final Map<Integer, PartitionOffsets> partitions = new HashMap<>();
    private final Map<Integer, Integer> generations = new HashMap<>();
    private long submitted;
    private int running;
    private int buffered;
    private boolean accepting = true;

    /**
     * @param maxInFlight how many records run at once, across keys
     * @param executor    where {@link Handler#handle} is called (never on the caller's or a completing thread)
     */
    public KeyOrderedDispatcher(int maxInFlight, Executor executor, Handler<T> handler) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        this.executor = Objects.requireNonNull(executor);
        this.handler = Objects.requireNonNull(handler);
    }

    /**
     * Records above the committed offset that an earlier owner of the partition finished (from the
     * commit): {@link #finishedBefore} says to skip them, and {@link #progress()} keeps them until
     * they are passed. Called when the partition is assigned, before its first record.
     */
    public synchronized void restore(int partition, FinishedOffsets finished) {
        PartitionOffsets offsets = partitions.computeIfAbsent(partition, p -> new PartitionOffsets());
        offsets.next = Math.max(offsets.next, finished.base());
        offsets.finishedBefore = finished;
    }

    /**
     * Whether this record was finished by an earlier owner of its partition: it is then passed over
     * as finished, and is not to be submitted.
     */
    public synchronized boolean finishedBefore(int partition, long offset) {
        PartitionOffsets offsets = partitions.get(partition);
        if (offsets == null || !offsets.finishedBefore.contains(offset)) {
            return false;
        }
        offsets.skipped(offset);
        return true;
    }

    /** Takes a record; offsets of a partition must be submitted in increasing order. */
    public void submit(int partition, long offset, Object key, T item) {
        List<Work<T>> toStart;
        synchronized (this) {
            if (!accepting) {
                return;
            }
            Work<T> work = new Work<>(partition, offset, key == null ? new UnorderedKey(offset) : key, item, submitted++,
                    generations.getOrDefault(partition, 0));
            partitions.computeIfAbsent(partition, p -> new PartitionOffsets()).submitted(offset);
            QueueKey queueKey = new QueueKey(partition, work.key());
            ArrayDeque<Work<T>> queue = queues.computeIfAbsent(queueKey, k -> new ArrayDeque<>());
            queue.add(work);
            buffered++;
            Ready waiting = readyByKey.get(queueKey);
            if (waiting != null) {
                ready.remove(waiting);
                markReady(queueKey, queue);
            } else if (queue.size() == 1) {
                markReady(queueKey, queue);
            }
            toStart = startable();
        }
        start(toStart);
    }

    /**
     * The record's outcome is written: its offset is finished, and the next record of its key may
     * run. A record of a partition released since it started (another generation) only frees its
     * slot and its key, as {@link #abandon} does: its offset is the new owner's to finish.
     */
    public void complete(Work<T> work) {
        List<Work<T>> toStart;
        synchronized (this) {
            if (isCurrent(work)) {
                buffered--;
                PartitionOffsets offsets = partitions.get(work.partition());
                if (offsets != null) {
                    offsets.finished(work.offset());
                }
            }
            toStart = leave(work);
        }
        start(toStart);
    }

    /**
     * The record was started but will not be finished here (the consumer is stopping, or gave its
     * partition up): it frees its slot and its key, and its offset stays unfinished, so it is not
     * committed and is read again.
     */
    public void abandon(Work<T> work) {
        List<Work<T>> toStart;
        synchronized (this) {
            if (isCurrent(work)) {
                buffered--;
            }
            toStart = leave(work);
        }
        start(toStart);
    }

    /** The running record leaves its slot and its key's head; the key's next record is ready. */
    private List<Work<T>> leave(Work<T> work) {
        running--;
        QueueKey queueKey = new QueueKey(work.partition(), work.key());
        ArrayDeque<Work<T>> queue = queues.get(queueKey);
        if (queue != null && queue.peek() == work) {
            queue.poll();
            if (queue.isEmpty()) {
                queues.remove(queueKey);
            } else if (accepting) {
                markReady(queueKey, queue);
            }
        }
        notifyAll();
        return startable();
    }

    /** Whether the record's partition is still held as it was when the record was submitted. */
    public synchronized boolean isCurrent(Work<T> work) {
        return work.generation() == generations.getOrDefault(work.partition(), 0);
    }

    private void markReady(QueueKey queueKey, ArrayDeque<Work<T>> queue) {
        Ready entry = new Ready(queue.size(), queue.peek().seq(), queueKey);
        ready.add(entry);
        readyByKey.put(queueKey, entry);
    }

    private List<Work<T>> startable() {
        List<Work<T>> toStart = new ArrayList<>();
        while (accepting && running < maxInFlight && !ready.isEmpty()) {
            QueueKey next = ready.pollFirst().key();
            readyByKey.remove(next);
            ArrayDeque<Work<T>> queue = queues.get(next);
            if (queue != null && !queue.isEmpty()) {
                running++;
                toStart.add(queue.peek());
            }
        }
        return toStart;
    }

    private void start(List<Work<T>> works) {
        for (Work<T> work : works) {
            executor.execute(new Task(work, () -> handler.handle(work)));
        }
    }

    /** Records taken and not finished (running or waiting behind their key or for a slot). */
    public synchronized int buffered() {
        return buffered;
    }

    /** Records running now. */
    public synchronized int running() {
        return running;
    }

    /** Per partition, the offset everything below which is finished; only partitions with records. */
    public synchronized Map<Integer, Long> safeOffsets() {
        Map<Integer, Long> safe = new HashMap<>();
        partitions.forEach((partition, offsets) -> safe.put(partition, offsets.safeOffset()));
        return safe;
    }

    /** Per partition, the safe offset and which records above it are finished: what to commit. */
    public synchronized Map<Integer, FinishedOffsets> progress() {
        Map<Integer, FinishedOffsets> progress = new HashMap<>();
        partitions.forEach((partition, offsets) -> progress.put(partition, offsets.progress()));
        return progress;
    }

    /** How many offsets the partition's finished-above bits span: from its lowest unfinished record to the last read. */
    public synchronized long span(int partition) {
        PartitionOffsets offsets = partitions.get(partition);
        return offsets == null ? 0 : offsets.span();
    }

    public synchronized OptionalLong safeOffset(int partition) {
        PartitionOffsets offsets = partitions.get(partition);
        return offsets == null ? OptionalLong.empty() : OptionalLong.of(offsets.safeOffset());
    }

    /**
     * Gives partitions up (rebalance): their waiting records are dropped (they were not committed,
     * so the next owner reads them again), their running ones are waited for, up to the timeout.
     * Returns what to commit for them; records still running then are not covered.
     */
    public Map<Integer, FinishedOffsets> release(Set<Integer> released, long timeout, TimeUnit unit) throws InterruptedException {
        synchronized (this) {
            Set<QueueKey> waiting = Set.copyOf(readyByKey.keySet());
            for (Iterator<Map.Entry<QueueKey, ArrayDeque<Work<T>>>> it = queues.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<QueueKey, ArrayDeque<Work<T>>> entry = it.next();
                if (!released.contains(entry.getKey().partition())) {
                    continue;
                }
                ArrayDeque<Work<T>> queue = entry.getValue();
                boolean headRunning = !waiting.contains(entry.getKey());
                int keep = headRunning ? 1 : 0;
                while (queue.size() > keep) {
                    queue.pollLast();
                    buffered--;
                }
                if (queue.isEmpty()) {
                    it.remove();
                }
            }
            ready.removeIf(waitingKey -> released.contains(waitingKey.key().partition()));
            readyByKey.keySet().removeIf(waitingKey -> released.contains(waitingKey.partition()));
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (runningIn(released) && System.nanoTime() < deadline) {
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
            }
            Map<Integer, FinishedOffsets> progress = new HashMap<>();
            for (Integer partition : released) {
                PartitionOffsets offsets = partitions.remove(partition);
                if (offsets != null) {
                    progress.put(partition, offsets.progress());
                }
                // what still runs of it belongs to the released generation: it finishes nothing of the next
                generations.merge(partition, 1, Integer::sum);
                buffered -= runningCount(partition);
            }
            return progress;
        }
    }

    private boolean runningIn(Set<Integer> released) {
        return queues.keySet().stream().anyMatch(key -> released.contains(key.partition()));
    }

    /** The records of the partition that run now (each is the head of its key's queue, which holds nothing else once released). */
    private int runningCount(int partition) {
        return (int) queues.keySet().stream().filter(key -> key.partition() == partition).count();
    }

    /**
     * Stops starting records (shutdown) and waits, up to the timeout, for the running ones.
     * Returns what to commit; waiting records are not covered and are read again.
     */
    public Map<Integer, FinishedOffsets> stop(long timeout, TimeUnit unit) throws InterruptedException {
        synchronized (this) {
            accepting = false;
            ready.clear();
            readyByKey.clear();
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (running > 0 && System.nanoTime() < deadline) {
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, deadline - System.nanoTime()));
            }
            return progress();
        }
    }

    /** The key of a record without one: it is ordered with nothing. */
    private record UnorderedKey(long offset) {
    }
}
