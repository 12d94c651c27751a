package io.functionsbridge.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads an arm's output topic as it is written: which events have their output (by the seq the
 * function echoed), when it was written, and whether each conversation's outputs came in order.
 */
final class OutputWatcher implements AutoCloseable {

    private final Workload workload;
    private final long[] outputTimestamps;
    private final Map<String, Integer> lastSeqOfConversation = new HashMap<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile int distinct;
    private volatile long duplicates;
    private volatile long orderViolations;
    private volatile long lastOutputNanos;
    /** How many distinct outputs a caller of {@link #awaitDistinct} waits for. */
    private volatile int awaited = Integer.MAX_VALUE;
    private final Object progress = new Object();

    OutputWatcher(String bootstrap, String topic, Workload workload) {
        this.workload = workload;
        this.outputTimestamps = new long[workload.events().size()];
        Arrays.fill(outputTimestamps, -1);
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // what a downstream reader sees: committed transactions' records (the exactly-once arm's, once
        // committed), and every other record at once
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        // fewer, fuller fetches: the watcher should cost the shared broker as little as it can (its
        // latencies come from the records' timestamps, not from when it reads them)
        props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, "65536");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
        consumer = new KafkaConsumer<>(props);
        TopicPartition partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
        consumer.seekToBeginning(List.of(partition));
        thread = new Thread(this::run, "bench-output-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                int seq = BenchFunctionServer.seqOf(new String(record.value(), StandardCharsets.UTF_8));
                if (seq < 0 || seq >= outputTimestamps.length) {
                    continue;
                }
                if (outputTimestamps[seq] >= 0) {
                    duplicates++;
                    continue;
                }
                outputTimestamps[seq] = record.timestamp();
                String conv = workload.events().get(seq).convId();
                Integer last = lastSeqOfConversation.get(conv);
                if (last != null && seq < last) {
                    orderViolations++;
                } else {
                    lastSeqOfConversation.put(conv, seq);
                }
                distinct++;
                lastOutputNanos = System.nanoTime();
                if (distinct >= awaited) {
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                }
            }
        }
    }

    /** When each event's output was written (its record timestamp), by seq; -1 where none yet. */
    long[] outputTimestamps() {
        return outputTimestamps.clone();
    }

    int distinct() {
        return distinct;
    }

    /** Waits until that many distinct outputs are in, or until the deadline ({@link System#nanoTime}); returns whether they are. */
    boolean awaitDistinct(int events, long deadlineNanos) throws InterruptedException {
        synchronized (progress) {
            awaited = events;
            while (distinct < events) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
            return true;
        }
    }

    long duplicates() {
        return duplicates;
    }

    long orderViolations() {
        return orderViolations;
    }

    long lastOutputNanos() {
        return lastOutputNanos;
    }

    /** Latencies measured from the given per-event start times. */
    LatencyView view(long[] startTimestamps) {
        return new LatencyView(startTimestamps);
    }

    /** End-to-end latencies (output written - start), in ms, of the events with output. */
    final class LatencyView {
        private final long[] starts;

        LatencyView(long[] starts) {
            this.starts = starts;
        }

        long percentile(java.util.function.Predicate<String> conversations, double p) {
            long[] sorted = java.util.stream.IntStream.range(0, outputTimestamps.length)
                    .filter(seq -> outputTimestamps[seq] >= 0 && conversations.test(workload.events().get(seq).convId()))
                    .mapToLong(seq -> outputTimestamps[seq] - starts[seq])
                    .sorted()
                    .toArray();
            if (sorted.length == 0) {
                return -1;
            }
            return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5000);
        consumer.close();
    }
}
