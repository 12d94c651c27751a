package io.functionsbridge.ordering;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.util.concurrent.CamelThreadFactory;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls one topic on its own thread and hands each record to the route as an exchange, through a
 * {@link KeyOrderedDispatcher}: records of different keys (conversations) run concurrently, up to
 * maxInFlight; records of one key one after another. The route is asynchronous (HTTP calls and
 * Kafka writes hold no thread), so in-flight records cost memory, not threads.
 *
 * <p>At-least-once: offsets are committed (every commitIntervalMs, on rebalance and on stop) only up
 * to each partition's lowest unfinished record, with, in the commit's metadata, which records above
 * it are finished ({@link FinishedOffsets}): the next owner of the partition (after a crash, a
 * rebalance, a restart) skips those, so it handles again only what was unfinished. When the
 * read-ahead (maxBuffered) is full, fetching is paused until records finish. A record whose
 * exchange fails (its commands or dead letter could not be written) is handled again after
 * retryBackoffMs, holding back only its own conversation.
 * The exchange carries camel-kafka's headers ({@code kafka.TOPIC}, {@code kafka.PARTITION},
 * {@code kafka.OFFSET}, {@code kafka.KEY}, {@code kafka.TIMESTAMP}), the record headers, and the
 * value as the body (bytes).
 *
 * <p>In JMX, besides Camel's consumer attributes: in flight, read ahead, whether fetching is
 * paused, and per partition the offset safe to commit and the offset last committed.
 */
@ManagedResource(description = "Ordered Kafka consumer: key-ordered concurrent dispatch with at-least-once commits")
public class OrderedKafkaConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(OrderedKafkaConsumer.class);

    private final OrderedKafkaEndpoint endpoint;
    private final RecordReader<Object> reader;
    private KeyOrderedDispatcher<Object> dispatcher;
    private KafkaConsumer<byte[], byte[]> kafka;
    private ExecutorService dispatchPool;
    private ScheduledExecutorService retryScheduler;
    private Thread pollThread;
    private volatile boolean polling;
    private volatile boolean paused;
    private long lastCommit;
    // the authentication failure last logged (poll thread), null once Kafka accepts the consumer
    private String authenticationProblem;
    // written by the poll thread, read by JMX: each partition's last commit (offset and metadata),
    // and whether the broker refused the metadata
    private final Map<Integer, OffsetAndMetadata> lastCommitted = new ConcurrentHashMap<>();
    // poll thread only: per partition restored with records an earlier owner finished, the offset
    // past the last of them (below it, each record is checked; then the partition leaves the map)
    private final Map<Integer, Long> skipUntil = new HashMap<>();
    private volatile boolean plainCommits;
    // health and metrics, written by the poll thread: when it last saw a connection to Kafka (0:
    // never), and each assigned partition's lag (records not finished: not yet read, or read and
    // not finished)
    private volatile long connectedAt;
    private volatile long startedAt;
    private Metric connections;
    private final Map<Integer, Long> lag = new ConcurrentHashMap<>();
    private long lagRefreshedAt;
    private MeterRegistry meters;
    private Gauge inFlightGauge;
    private MultiGauge lagGauge;
    private OrderedKafkaHealthCheck healthCheck;

    @SuppressWarnings("unchecked")
    public OrderedKafkaConsumer(OrderedKafkaEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.reader = (RecordReader<Object>) endpoint.getReader();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        String name = "ordered-kafka[" + endpoint.getTopic() + "]";
        // oldest record first (see KeyOrderedDispatcher); threads named as Camel names its own
        int threads = endpoint.getDispatchThreads();
        dispatchPool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, KeyOrderedDispatcher.oldestFirstQueue(),
                new CamelThreadFactory(getEndpoint().getCamelContext().getExecutorServiceManager().getThreadNamePattern(),
                        name + " dispatch", false),
                // after shutdown, a record is run by the caller, where it is abandoned (not committed)
                (task, pool) -> task.run());
        retryScheduler = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, name + " retry");
        dispatcher = new KeyOrderedDispatcher<>(endpoint.getMaxInFlight(), dispatchPool, this::handle);
        kafka = new KafkaConsumer<>(consumerProperties());
        publishHealthAndMetrics();
        startedAt = System.currentTimeMillis();
        polling = true;
        pollThread = new Thread(this::pollLoop, name + " poll");
        pollThread.start();
    }

    /**
     * Its health check (live and ready) in Camel's health registry, and its gauges
     * ({@code functions_bridge_in_flight}, {@code functions_bridge_consumer_lag}) in the
     * application's meter registry, when there are.
     */
    private void publishHealthAndMetrics() {
        CamelContext context = getEndpoint().getCamelContext();
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            healthCheck = new OrderedKafkaHealthCheck(this);
            healthCheck.setCamelContext(context);
            health.register(healthCheck);
        }
        meters = endpoint.getComponent().findMeterRegistry();
        if (meters != null) {
            inFlightGauge = Gauge.builder("functions.bridge.in.flight", this, OrderedKafkaConsumer::getRunning)
                    .description("Events being handled now").tag("topic", endpoint.getTopic()).register(meters);
            lagGauge = MultiGauge.builder("functions.bridge.consumer.lag")
                    .description("Records of the partition not finished: not yet read, or read and not finished")
                    .tag("topic", endpoint.getTopic()).register(meters);
        }
    }

    private void unpublishHealthAndMetrics() {
        HealthCheckRegistry health = HealthCheckRegistry.get(getEndpoint().getCamelContext());
        if (health != null && healthCheck != null) {
            health.unregister(healthCheck);
        }
        if (meters != null) {
            meters.remove(inFlightGauge);
            lagGauge.register(List.of(), true);
        }
    }

    /** Whether the poll loop runs (liveness). */
    boolean isPollLoopRunning() {
        Thread thread = pollThread;
        return polling && thread != null && thread.isAlive();
    }

    /**
     * Why the consumer is not ready, or {@code null} when it is: Kafka refused its credentials, or
     * it has had no connection to Kafka for longer than the health timeout.
     */
    String connectionProblem() {
        if (authenticationProblem != null) {
            return "Kafka refused the consumer's authentication: " + authenticationProblem;
        }
        long timeout = endpoint.getComponent().getHealthTimeoutMs();
        long since = connectedAt == 0 ? startedAt : connectedAt;
        long without = System.currentTimeMillis() - since;
        if (connectedAt != 0 && without <= timeout) {
            return null;
        }
        return connectedAt == 0 ? "not connected to Kafka yet (" + without + " ms since start)"
                : "no connection to Kafka for " + without + " ms (more than bridge.health.kafka-timeout-ms, " + timeout + " ms)";
    }

    @Override
    protected void doStop() throws Exception {
        polling = false;
        if (kafka != null) {
            kafka.wakeup();
        }
        if (pollThread != null) {
            pollThread.join(endpoint.getDrainTimeoutMs() + 10_000);
        }
        if (retryScheduler != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(retryScheduler);
        }
        if (dispatchPool != null) {
            dispatchPool.shutdown();
        }
        unpublishHealthAndMetrics();
        super.doStop();
    }

    @Override
    public OrderedKafkaEndpoint getEndpoint() {
        return (OrderedKafkaEndpoint) super.getEndpoint();
    }

    /** Records read and not finished. */
    @ManagedAttribute(description = "Records read and not finished: running, or waiting behind their key or for a slot (at most MaxBuffered)")
    public int getBuffered() {
        return dispatcher == null ? 0 : dispatcher.buffered();
    }

    /** Records being handled now. */
    @ManagedAttribute(description = "Records being handled now (at most MaxInFlight)")
    public int getRunning() {
        return dispatcher == null ? 0 : dispatcher.running();
    }

    /** Whether fetching is paused because the read-ahead is full. */
    @ManagedAttribute(description = "Whether fetching is paused because the read-ahead (MaxBuffered) is full")
    public boolean isPaused() {
        return paused;
    }

    @ManagedAttribute(description = "Records handled at once, across keys (bridge.max-in-flight)")
    public int getMaxInFlight() {
        return endpoint.getMaxInFlight();
    }

    @ManagedAttribute(description = "Records read ahead before fetching pauses (bridge.max-buffered)")
    public int getMaxBuffered() {
        return endpoint.getMaxBuffered();
    }

    /** Per partition, the offset below which every record is finished: what the next commit may cover. */
    @ManagedAttribute(description = "Per partition, the offset below which every record read is finished (what the next commit may cover)")
    public String getSafeOffsets() {
        return dispatcher == null ? "{}" : new TreeMap<>(dispatcher.safeOffsets()).toString();
    }

    /** Per partition, the offset last committed (by this consumer, or before it got the partition). */
    @ManagedAttribute(description = "Per partition, the offset last committed (by this consumer, or before it got the partition)")
    public String getCommittedOffsets() {
        Map<Integer, Long> offsets = new TreeMap<>();
        lastCommitted.forEach((partition, offset) -> offsets.put(partition, offset.offset()));
        return offsets.toString();
    }

    /**
     * The Kafka consumer's settings: the camel-kafka component's (its brokers, security and
     * client tuning, as for the bridge's producers), then the component's own extra settings, then
     * what this consumer needs to work as it does.
     */
    private Properties consumerProperties() {
        OrderedKafkaComponent component = endpoint.getComponent();
        KafkaConfiguration shared = component.sharedConfiguration();
        Properties props = new Properties();
        String brokers = component.getBrokers();
        if (shared != null) {
            props.putAll(shared.createConsumerProperties());
            if (brokers == null) {
                brokers = shared.getBrokers();
            }
        }
        props.putAll(component.getConsumerProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers == null ? "localhost:9092" : brokers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, endpoint.getGroupId());
        if (!component.getInstanceId().isEmpty()) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, component.getInstanceId() + "-" + endpoint.getTopic());
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.min(500, endpoint.getMaxBuffered())));
        // incremental rebalances: a member joining or leaving does not take partitions from the others
        // (whose finished-but-uncommitted records would be handled again)
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private void pollLoop() {
        try {
            kafka.subscribe(List.of(endpoint.getTopic()), new Rebalance());
            while (polling) {
                applyBackpressure();
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = kafka.poll(Duration.ofMillis(endpoint.getPollTimeoutMs()));
                    observeConnection();
                } catch (WakeupException e) {
                    break;
                } catch (AuthenticationException e) {
                    refused(e);
                    continue;
                }
                if (authenticationProblem != null && !kafka.assignment().isEmpty()) {
                    LOG.info("{}: Kafka accepts the consumer's authentication again", endpoint.getTopic());
                    authenticationProblem = null;
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    if (finishedBefore(record)) {
                        continue;
                    } else if (reader == null) {
                        dispatcher.submit(record.partition(), record.offset(), record.key() == null ? null : ByteBuffer.wrap(record.key()), record);
                    } else {
                        Object item = reader.read(record);
                        dispatcher.submit(record.partition(), record.offset(), reader.orderingKey(item), item);
                    }
                }
                commitIfDue(false);
            }
            commit(dispatcher.stop(endpoint.getDrainTimeoutMs(), TimeUnit.MILLISECONDS), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("ordered-kafka consumer of {} stopped: {}", endpoint.getTopic(), e.toString(), e);
        } finally {
            try {
                kafka.close(Duration.ofSeconds(10));
            } catch (RuntimeException e) {
                LOG.warn("closing the Kafka consumer of {} failed: {}", endpoint.getTopic(), e.toString());
            }
        }
    }

    /** Whether an earlier owner of the record's partition finished it (it is then passed over). */
    private boolean finishedBefore(ConsumerRecord<byte[], byte[]> record) {
        Long until = skipUntil.get(record.partition());
        if (until == null) {
            return false;
        }
        if (record.offset() >= until) {
            skipUntil.remove(record.partition());
            return false;
        }
        return dispatcher.finishedBefore(record.partition(), record.offset());
    }

    /**
     * Kafka refused the consumer's credentials or certificate: one clear line (again only when the
     * problem changes), then another try after retryBackoffMs. It never falls back to another
     * protocol, and the line names no secret (Kafka's messages do not).
     */
    private void refused(AuthenticationException e) throws InterruptedException {
        String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (!problem.equals(authenticationProblem)) {
            authenticationProblem = problem;
            LOG.error("{}: Kafka refused the consumer's authentication ({}); nothing is consumed until it is accepted, trying again every {} ms",
                    endpoint.getTopic(), problem, endpoint.getRetryBackoffMs());
        }
        long until = System.currentTimeMillis() + endpoint.getRetryBackoffMs();
        while (polling && System.currentTimeMillis() < until) {
            Thread.sleep(Math.min(100, endpoint.getRetryBackoffMs()));
        }
    }

    /**
     * Notes whether the consumer has a connection to Kafka (its client's connection-count), and,
     * once a second, each assigned partition's lag.
     */
    private void observeConnection() {
        if (connections == null) {
            connections = kafka.metrics().entrySet().stream()
                    .filter(metric -> metric.getKey().name().equals("connection-count") && metric.getKey().group().equals("consumer-metrics"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }
        long now = System.currentTimeMillis();
        if (connections != null && connections.metricValue() instanceof Number count && count.doubleValue() > 0) {
            connectedAt = now;
        }
        if (now - lagRefreshedAt >= 1000 && lagGauge != null) {
            lagRefreshedAt = now;
            refreshLag();
        }
    }

    /**
     * Each assigned partition's lag: the records not yet read (Kafka's own lag, from the consumer's
     * position to the log end) plus the records read and not finished (from the partition's safe
     * offset, which the next commit may cover, to the position).
     */
    private void refreshLag() {
        Set<TopicPartition> assigned = kafka.assignment();
        boolean changed = lag.keySet().retainAll(assigned.stream().map(TopicPartition::partition).collect(Collectors.toSet()));
        for (TopicPartition partition : assigned) {
            OptionalLong behind = kafka.currentLag(partition);
            if (behind.isEmpty()) {
                continue;
            }
            long position = kafka.position(partition);
            OptionalLong safe = dispatcher.safeOffset(partition.partition());
            long unfinished = safe.isPresent() ? Math.max(0, position - safe.getAsLong()) : 0;
            changed |= lag.put(partition.partition(), behind.getAsLong() + unfinished) == null;
        }
        if (changed) {
            lagGauge.register(lag.keySet().stream().sorted()
                    .map(partition -> MultiGauge.Row.of(Tags.of("partition", String.valueOf(partition)), lag,
                            byPartition -> byPartition.getOrDefault(partition, 0L)))
                    .collect(Collectors.toList()), true);
        }
    }

    /** Pauses fetching while the read-ahead is full; resumes once it has room. */
    private void applyBackpressure() {
        boolean full = dispatcher.buffered() >= endpoint.getMaxBuffered();
        if (full && !paused) {
            kafka.pause(kafka.assignment());
            paused = true;
            LOG.debug("{}: {} records in flight, fetching paused", endpoint.getTopic(), dispatcher.buffered());
        } else if (!full && paused) {
            kafka.resume(kafka.paused());
            paused = false;
            LOG.debug("{}: fetching resumed", endpoint.getTopic());
        }
    }

    private void commitIfDue(boolean sync) {
        long now = System.currentTimeMillis();
        if (sync || now - lastCommit >= endpoint.getCommitIntervalMs()) {
            lastCommit = now;
            commit(dispatcher.progress(), sync);
        }
    }

    /**
     * Commits each partition's safe offset with, in its metadata, which records above it are
     * finished (see {@link FinishedOffsets}); only what changed since the last commit.
     */
    private void commit(Map<Integer, FinishedOffsets> progress, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((partition, finished) -> {
            OffsetAndMetadata offset = new OffsetAndMetadata(finished.base(),
                    plainCommits ? "" : finished.encode(endpoint.getMaxCommitMetadata()));
            if (finished.base() >= 0 && !offset.equals(lastCommitted.get(partition))) {
                offsets.put(new TopicPartition(endpoint.getTopic(), partition), offset);
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (sync) {
                kafka.commitSync(offsets, Duration.ofSeconds(10));
            } else {
                kafka.commitAsync(offsets, (done, failure) -> {
                    if (failure instanceof OffsetMetadataTooLarge) {
                        metadataRefused(failure);
                    } else if (failure != null) {
                        LOG.debug("offset commit of {} failed, the next one covers it: {}", endpoint.getTopic(), failure.toString());
                    }
                });
            }
            offsets.forEach((tp, offset) -> lastCommitted.put(tp.partition(), offset));
        } catch (OffsetMetadataTooLarge e) {
            metadataRefused(e);
            commit(progress, sync);
        } catch (RuntimeException e) {
            LOG.warn("offset commit of {} failed (records after the last commit are read again): {}", endpoint.getTopic(), e.toString());
        }
    }

    /** The broker allows less metadata than maxCommitMetadata: plain commits from now on, one line to say so. */
    private void metadataRefused(Exception e) {
        if (!plainCommits) {
            plainCommits = true;
            lastCommitted.clear();
            LOG.warn("{}: Kafka refused the commit's metadata ({}); committing offsets alone from now on (set maxCommitMetadata "
                    + "within the broker's offset.metadata.max.bytes): after a crash, finished records above a commit are handled again",
                    endpoint.getTopic(), e.getMessage());
        }
    }

    /**
     * The partitions' commits, read when they are assigned: the records above a commit that an
     * earlier owner finished are skipped when they come.
     */
    private void restore(Collection<TopicPartition> assigned) {
        try {
            kafka.committed(Set.copyOf(assigned), Duration.ofSeconds(10)).forEach((tp, offset) -> {
                if (offset != null) {
                    FinishedOffsets finished = FinishedOffsets.decode(offset.offset(), offset.metadata());
                    lastCommitted.put(tp.partition(), offset);
                    if (!finished.isEmpty()) {
                        dispatcher.restore(tp.partition(), finished);
                        skipUntil.put(tp.partition(), finished.end());
                        LOG.debug("{}/{}: {} records above offset {} finished before, skipped", endpoint.getTopic(), tp.partition(),
                                finished.finished().cardinality(), offset.offset());
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warn("{}: reading the commits of {} failed, their finished records above the commit are handled again: {}",
                    endpoint.getTopic(), assigned, e.toString());
        }
    }

    /** Runs one record through the route; on failure, runs it again later, keeping its key blocked. */
    private void handle(KeyOrderedDispatcher.Work<Object> work) {
        if (!isRunAllowed()) {
            dispatcher.abandon(work);
            return;
        }
        Exchange exchange = createExchange(false);
        if (reader == null) {
            fill(exchange.getMessage(), (ConsumerRecord<?, ?>) work.item());
        } else {
            fill(exchange, reader, work.item());
        }
        getAsyncProcessor().process(exchange, doneSync -> {
            Exception failure = exchange.getException();
            releaseExchange(exchange, false);
            if (failure == null) {
                dispatcher.complete(work);
            } else {
                LOG.warn("{}/{}@{} could not be handled, trying again in {} ms: {}", endpoint.getTopic(), work.partition(),
                        work.offset(), endpoint.getRetryBackoffMs(), failure.toString());
                if (isRunAllowed()) {
                    retryScheduler.schedule(() -> dispatchPool.execute(new KeyOrderedDispatcher.Task(work, () -> handle(work))),
                            endpoint.getRetryBackoffMs(), TimeUnit.MILLISECONDS);
                } else {
                    dispatcher.abandon(work);
                }
            }
        });
    }

    /**
     * With a reader: what the route starts with for an item it read from a record: the item as the
     * body, and the reader's exchange properties. The route tests start their exchanges with it.
     */
    public static <T> void fill(Exchange exchange, RecordReader<T> reader, T item) {
        exchange.getMessage().setBody(item);
        reader.properties(item).forEach(exchange::setProperty);
    }

    /** Without a reader: the record as camel-kafka's consumer gives it (value as the body, kafka.* and record headers). */
    private static void fill(Message message, ConsumerRecord<?, ?> record) {
        message.setHeader(KafkaConstants.TOPIC, record.topic());
        message.setHeader(KafkaConstants.PARTITION, record.partition());
        message.setHeader(KafkaConstants.OFFSET, record.offset());
        message.setHeader(KafkaConstants.KEY, record.key());
        message.setHeader(KafkaConstants.TIMESTAMP, record.timestamp());
        for (Header header : record.headers()) {
            message.setHeader(header.key(), header.value());
        }
        message.setBody(record.value());
    }

    /** On revocation: drop what waits, let what runs finish, commit what is finished. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            if (!revoked.isEmpty()) {
                giveUp(revoked, true);
                LOG.info("{}: partitions {} revoked", endpoint.getTopic(), partitions(revoked));
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // another member owns them already: nothing may be committed for them any more
            giveUp(lost, false);
            LOG.warn("{}: partitions {} lost", endpoint.getTopic(), partitions(lost));
        }

        private void giveUp(Collection<TopicPartition> given, boolean commitFinished) {
            Set<Integer> partitions = partitions(given);
            try {
                Map<Integer, FinishedOffsets> progress = dispatcher.release(partitions, endpoint.getDrainTimeoutMs(), TimeUnit.MILLISECONDS);
                if (commitFinished) {
                    commit(progress, true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            partitions.forEach(lastCommitted::remove);
            partitions.forEach(skipUntil::remove);
        }

        private Set<Integer> partitions(Collection<TopicPartition> given) {
            return given.stream().map(TopicPartition::partition).collect(Collectors.toSet());
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            if (assigned.isEmpty()) {
                return;
            }
            LOG.info("{}: partitions {} assigned", endpoint.getTopic(),
                    assigned.stream().map(TopicPartition::partition).sorted().toList());
            restore(assigned);
            if (paused) {
                kafka.pause(assigned);
            }
        }
    }
}
