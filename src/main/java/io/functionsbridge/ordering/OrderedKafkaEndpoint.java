package io.functionsbridge.ordering;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** The endpoint of {@link OrderedKafkaComponent}: a topic, a consumer group and the limits. */
public class OrderedKafkaEndpoint extends DefaultEndpoint {

    private final String topic;
    private String groupId = "functions-bridge";
    private int maxInFlight = 256;
    private int maxBuffered;
    private int pollTimeoutMs = 100;
    private long commitIntervalMs = 200;
    private int maxCommitMetadata = 4096;
    private long retryBackoffMs = 1000;
    private long drainTimeoutMs = 30_000;
    private int dispatchThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    private long maxSpan = OrderedKafkaConsumer.MAX_SPAN;
    private RecordReader<?> reader;

    public OrderedKafkaEndpoint(String uri, OrderedKafkaComponent component, String topic) {
        super(uri, component);
        this.topic = topic;
    }

    @Override
    public OrderedKafkaComponent getComponent() {
        return (OrderedKafkaComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("ordered-kafka only consumes; write with the kafka component");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        OrderedKafkaConsumer consumer = new OrderedKafkaConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    /**
     * Reads each record once, on the way in, into the route's body and starting properties, and says
     * which key it is ordered by; without one the route gets the record's value and headers, ordered by
     * the record key.
     */
    public RecordReader<?> getReader() {
        return reader;
    }

    public void setReader(RecordReader<?> reader) {
        this.reader = reader;
    }

    /**
     * How many offsets a partition's read-ahead may span above its lowest unfinished record before
     * its fetching pauses (what its commit says is finished above that record grows with each).
     */
    public long getMaxSpan() {
        return maxSpan;
    }

    public void setMaxSpan(long maxSpan) {
        this.maxSpan = maxSpan;
    }

    public String getTopic() {
        return topic;
    }

    public String getGroupId() {
        return groupId;
    }

    public void setGroupId(String groupId) {
        this.groupId = groupId;
    }

    /** Records handled at once, across keys. */
    public int getMaxInFlight() {
        return maxInFlight;
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /**
     * Records read and not finished (handled, or waiting behind their key) before fetching pauses;
     * 0 means sixteen times maxInFlight (see {@link KeyOrderedDispatcher} on why it reads ahead).
     */
    public int getMaxBuffered() {
        return maxBuffered > 0 ? maxBuffered : 16 * maxInFlight;
    }

    public void setMaxBuffered(int maxBuffered) {
        this.maxBuffered = maxBuffered;
    }

    public int getPollTimeoutMs() {
        return pollTimeoutMs;
    }

    public void setPollTimeoutMs(int pollTimeoutMs) {
        this.pollTimeoutMs = pollTimeoutMs;
    }

    /** How often finished offsets are committed. */
    public long getCommitIntervalMs() {
        return commitIntervalMs;
    }

    public void setCommitIntervalMs(long commitIntervalMs) {
        this.commitIntervalMs = commitIntervalMs;
    }

    /**
     * Longest commit metadata (which records above the commit are finished) in characters: the
     * brokers' offset.metadata.max.bytes, 4096 by default. What does not fit is handled again after a crash.
     */
    public int getMaxCommitMetadata() {
        return maxCommitMetadata;
    }

    public void setMaxCommitMetadata(int maxCommitMetadata) {
        this.maxCommitMetadata = maxCommitMetadata;
    }

    /** Delay before a record whose handling failed (its outcome could not be written) is handled again. */
    public long getRetryBackoffMs() {
        return retryBackoffMs;
    }

    public void setRetryBackoffMs(long retryBackoffMs) {
        this.retryBackoffMs = retryBackoffMs;
    }

    /** How long a rebalance or a shutdown waits for running records before committing. */
    public long getDrainTimeoutMs() {
        return drainTimeoutMs;
    }

    public void setDrainTimeoutMs(long drainTimeoutMs) {
        this.drainTimeoutMs = drainTimeoutMs;
    }

    /** Threads that start records on the route; each runs a record up to its first asynchronous step. */
    public int getDispatchThreads() {
        return dispatchThreads;
    }

    public void setDispatchThreads(int dispatchThreads) {
        this.dispatchThreads = dispatchThreads;
    }
}
