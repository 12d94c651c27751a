package io.functionsbridge.ordering;

import io.functionsbridge.domain.Delivery;
import io.functionsbridge.domain.RefusedStartException;
import io.micrometer.core.instrument.Counter;
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
import java.util.concurrent.atomic.AtomicLong;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.OffsetMetadataTooLarge;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

    private static final AtomicLong CONSUMERS = new AtomicLong();
    /** A partition's read-ahead spans at most this many offsets above its lowest unfinished record before it pauses. */
    static final long MAX_SPAN = 1 << 20;

    private final OrderedKafkaEndpoint endpoint;
    private final RecordReader<Object> reader;
    // the partitions this consumer owns now (the poll thread writes, the events' deliveries read)
    private final Map<Integer, EventDelivery.Ownership> owned = new ConcurrentHashMap<>();
    // its events' records (a transaction of them and of the offsets, exactly-once)
    private EventWrites writes;
    // whether the routes' kafka producers hand its events' records to its writes (else they write them themselves)
    private boolean tagged;
    private Counter committedTransactions;
    private Counter abortedTransactions;
    // poll thread: what each partition's last commit that Kafka acknowledged covered, as progress
    private final Map<Integer, FinishedOffsets> committedProgress = new HashMap<>();
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
        writes = newWrites();
        kafka = new KafkaConsumer<>(consumerProperties());
        publishHealthAndMetrics();
        startedAt = System.currentTimeMillis();
        polling = true;
        pollThread = new Thread(this::pollLoop, name + " poll");
        pollThread.start();
    }

    /**
     * The producer of its events' records: transactional with exactly-once delivery (its
     * transactional.id from the group, the topic and the instance id, else unique to the process),
     * which a broker without transactions, or that refuses them to this client, refuses: the start
     * then stops, with one line that says why.
     */
    private EventWrites newWrites() {
        OrderedKafkaComponent component = endpoint.getComponent();
        boolean transactional = component.isExactlyOnce();
        tagged = component.writesThroughConsumers();
        if (transactional && !tagged) {
            String why = "bridge.delivery=exactly-once needs the routes' kafka endpoints to write through the consumers: "
                    + "kafkaClientFactory: \"#eventWrites\" (io.functionsbridge.ordering.EventWritesClientFactory), as routes/ ships them";
            LOG.error("functions-bridge: not started: {}", why);
            throw new RefusedStartException(why);
        }
        Properties props = producerProperties(transactional);
        EventWrites made = new EventWrites(endpoint.getTopic() + "#" + CONSUMERS.incrementAndGet(), new KafkaProducer<>(props), transactional,
                endpoint.getDrainTimeoutMs());
        if (transactional) {
            try {
                made.initTransactions();
            } catch (KafkaException e) {
                made.close();
                String why = "bridge.delivery=exactly-once needs Kafka transactions, and the brokers at "
                        + props.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG) + " refused them to transactional id "
                        + props.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) + ": " + e.getClass().getSimpleName() + ": " + e.getMessage();
                LOG.error("functions-bridge: not started: {}", why);
                throw new RefusedStartException(why, e);
            }
        }
        return made;
    }

    /**
     * The producer's settings: the camel-kafka component's (brokers, security, acks), bytes in and
     * out (the routes' endpoints serialize), records as large as a dead letter may be, a write that
     * cannot be made within three quarters of the drain timeout failing (so that a revocation's
     * drain sees every write of its partitions resolved); transactional, with exactly-once.
     */
    private Properties producerProperties(boolean transactional) {
        OrderedKafkaComponent component = endpoint.getComponent();
        KafkaConfiguration shared = component.sharedConfiguration();
        Properties props = new Properties();
        String brokers = component.getBrokers();
        if (shared != null) {
            props.putAll(shared.createProducerProperties());
            if (brokers == null) {
                brokers = shared.getBrokers();
            }
        }
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers == null ? "localhost:9092" : brokers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(component.getMaxRequestBytes()));
        long deliveryTimeoutMs = endpoint.getDrainTimeoutMs() * 3 / 4;
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeoutMs));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(30_000, deliveryTimeoutMs / 2)));
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        if (transactional) {
            String instance = component.getInstanceId().isEmpty() ? java.util.UUID.randomUUID().toString() : component.getInstanceId();
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, endpoint.getGroupId() + "-" + endpoint.getTopic() + "-" + instance);
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(Math.max(60_000, endpoint.getDrainTimeoutMs() * 2)));
            // a cluster without transactions (its transaction log cannot be made) says so within 10 s, not 60
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        }
        props.remove(ProducerConfig.CLIENT_ID_CONFIG);
        return props;
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
            if (writes.isTransactional()) {
                committedTransactions = Counter.builder("functions.bridge.transactions").description("Transactions of commands, dead letters and offsets")
                        .tags("topic", endpoint.getTopic(), "result", "committed").register(meters);
                abortedTransactions = Counter.builder("functions.bridge.transactions").description("Transactions of commands, dead letters and offsets")
                        .tags("topic", endpoint.getTopic(), "result", "aborted").register(meters);
            }
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
            if (committedTransactions != null) {
                meters.remove(committedTransactions);
                meters.remove(abortedTransactions);
            }
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
        if (writes != null) {
            writes.close();
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
        if (component.isExactlyOnce()) {
            // records of producers' aborted transactions are not events
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
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
                commitIfDue();
            }
            Map<Integer, FinishedOffsets> finished = dispatcher.stop(endpoint.getDrainTimeoutMs(), TimeUnit.MILLISECONDS);
            // what still runs starts no attempt and writes nothing more, and the writes under way are waited for,
            // before the partitions go to whoever gets them next
            owned.values().forEach(EventDelivery.Ownership::revoke);
            for (int partition : owned.keySet()) {
                writes.awaitSends(partition, endpoint.getDrainTimeoutMs());
            }
            if (writes.isTransactional()) {
                commitTransaction(() -> finished);
            } else {
                commit(finished, true);
            }
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

    /**
     * Pauses fetching while the read-ahead is full, and a partition's alone while the records read
     * above its lowest unfinished one span more than maxSpan offsets (a record that does not finish
     * holds its partition's commit, and what its commit says is finished above it grows with every
     * record read); resumes once there is room.
     */
    private void applyBackpressure() {
        boolean full = dispatcher.buffered() >= endpoint.getMaxBuffered();
        Set<TopicPartition> assignment = kafka.assignment();
        Set<TopicPartition> pause = full ? assignment : assignment.stream()
                .filter(tp -> dispatcher.span(tp.partition()) > endpoint.getMaxSpan()).collect(Collectors.toSet());
        Set<TopicPartition> pausedNow = kafka.paused();
        List<TopicPartition> toPause = pause.stream().filter(tp -> !pausedNow.contains(tp)).toList();
        List<TopicPartition> toResume = pausedNow.stream().filter(tp -> !pause.contains(tp)).toList();
        if (!toPause.isEmpty()) {
            kafka.pause(toPause);
            LOG.debug("{}: {} records in flight, fetching of {} paused", endpoint.getTopic(), dispatcher.buffered(), toPause);
        }
        if (!toResume.isEmpty()) {
            kafka.resume(toResume);
            LOG.debug("{}: fetching of {} resumed", endpoint.getTopic(), toResume);
        }
        paused = full;
    }

    private void commitIfDue() {
        long now = System.currentTimeMillis();
        long interval = writes.isTransactional() ? endpoint.getComponent().getTransactionMs() : endpoint.getCommitIntervalMs();
        if (now - lastCommit >= interval) {
            lastCommit = now;
            if (writes.isTransactional()) {
                commitTransaction(dispatcher::progress);
            } else {
                commit(dispatcher.progress(), false);
            }
        }
    }

    /**
     * What to commit of that progress: each partition's safe offset with, in its metadata, which
     * records above it are finished (see {@link FinishedOffsets}); only the partitions whose progress
     * changed since the commit Kafka last acknowledged (an unchanged one is not encoded again).
     */
    private Map<TopicPartition, OffsetAndMetadata> offsets(Map<Integer, FinishedOffsets> progress) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((partition, finished) -> {
            if (finished.base() >= 0 && !finished.equals(committedProgress.get(partition))) {
                offsets.put(new TopicPartition(endpoint.getTopic(), partition),
                        new OffsetAndMetadata(finished.base(), plainCommits ? "" : finished.encode(endpoint.getMaxCommitMetadata())));
            }
        });
        return offsets;
    }

    /** Kafka acknowledged the commit: what it covers is not committed again until it changes. */
    private void acknowledged(Map<TopicPartition, OffsetAndMetadata> offsets, Map<Integer, FinishedOffsets> progress) {
        offsets.forEach((tp, offset) -> {
            lastCommitted.put(tp.partition(), offset);
            committedProgress.put(tp.partition(), progress.get(tp.partition()));
        });
    }

    /**
     * Commits what changed since the last acknowledged commit, at once or not. A commit that fails
     * is made again: by the next periodic one, or at a revocation or a stop (a partition counts as
     * committed only once Kafka says so).
     */
    private void commit(Map<Integer, FinishedOffsets> progress, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = offsets(progress);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (sync) {
                kafka.commitSync(offsets, Duration.ofSeconds(10));
                acknowledged(offsets, progress);
            } else {
                kafka.commitAsync(offsets, (done, failure) -> {
                    if (failure == null) {
                        acknowledged(offsets, progress);
                    } else if (failure instanceof OffsetMetadataTooLarge) {
                        metadataRefused(failure);
                    } else {
                        LOG.debug("offset commit of {} failed, the next one makes it again: {}", endpoint.getTopic(), failure.toString());
                    }
                });
            }
        } catch (OffsetMetadataTooLarge e) {
            metadataRefused(e);
            commit(progress, sync);
        } catch (RuntimeException e) {
            LOG.warn("offset commit of {} failed, the next one makes it again: {}", endpoint.getTopic(), e.toString());
        }
    }

    /**
     * Exactly-once: ends the open transaction with the offsets of that progress, taken once every
     * event that wrote in it has finished. An aborted transaction's events are read again from the
     * last commit; a producer that cannot abort is replaced first; a producer another instance fenced
     * (its transactional id taken over) stops this consumer.
     */
    private void commitTransaction(java.util.function.Supplier<Map<Integer, FinishedOffsets>> progress) {
        Map<Integer, FinishedOffsets> taken = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> sent = new HashMap<>();
        try {
            EventWrites.Ended ended = writes.commit(() -> {
                taken.putAll(progress.get());
                sent.putAll(offsets(taken));
                return sent;
            }, kafka.groupMetadata());
            if (ended == EventWrites.Ended.COMMITTED) {
                count(committedTransactions);
                acknowledged(sent, taken);
            } else if (ended == EventWrites.Ended.ABORTED) {
                count(abortedTransactions);
                rewind(writes.spoiledBy());
            }
        } catch (ProducerFencedException e) {
            LOG.error("{}: another instance took this one's transactional id ({}); this consumer stops, committing nothing more",
                    endpoint.getTopic(), e.getMessage());
            polling = false;
        } catch (KafkaException e) {
            count(abortedTransactions);
            LOG.warn("{}: the transaction could not be ended ({}); a new producer takes over", endpoint.getTopic(), e.toString());
            writes.close();
            writes = newWrites();
            rewind(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void count(Counter counter) {
        if (counter != null) {
            counter.increment();
        }
    }

    /**
     * After an aborted transaction: every owned partition goes back to its last commit. What runs
     * of it is given up (it starts no attempt and writes nothing more), what waits is dropped, and
     * its records are read again, the commit's finished ones skipped.
     */
    private void rewind(String why) {
        LOG.warn("{}: transaction aborted ({}); its events are handled again from the last commit", endpoint.getTopic(), why);
        Set<Integer> partitions = Set.copyOf(owned.keySet());
        partitions.forEach(partition -> owned.remove(partition).revoke());
        try {
            dispatcher.release(partitions, 0, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<TopicPartition> tps = partitions.stream().map(partition -> new TopicPartition(endpoint.getTopic(), partition)).toList();
        partitions.forEach(partition -> {
            skipUntil.remove(partition);
            lastCommitted.remove(partition);
            committedProgress.remove(partition);
        });
        Map<TopicPartition, OffsetAndMetadata> committed = kafka.committed(Set.copyOf(tps), Duration.ofSeconds(10));
        for (TopicPartition tp : tps) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                kafka.seekToBeginning(List.of(tp));
            } else {
                kafka.seek(tp, offset.offset());
            }
        }
        restore(committed);
        partitions.forEach(partition -> owned.put(partition, new EventDelivery.Ownership()));
        writes.resume();
    }

    /** The broker allows less metadata than maxCommitMetadata: plain commits from now on, one line to say so. */
    private void metadataRefused(Exception e) {
        if (!plainCommits) {
            plainCommits = true;
            lastCommitted.clear();
            committedProgress.clear();
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
            restore(kafka.committed(Set.copyOf(assigned), Duration.ofSeconds(10)));
        } catch (RuntimeException e) {
            LOG.warn("{}: reading the commits of {} failed, their finished records above the commit are handled again: {}",
                    endpoint.getTopic(), assigned, e.toString());
        }
    }

    private void restore(Map<TopicPartition, OffsetAndMetadata> committed) {
        committed.forEach((tp, offset) -> {
            if (offset != null) {
                FinishedOffsets finished = FinishedOffsets.decode(offset.offset(), offset.metadata());
                lastCommitted.put(tp.partition(), offset);
                committedProgress.put(tp.partition(), finished);
                if (!finished.isEmpty()) {
                    dispatcher.restore(tp.partition(), finished);
                    skipUntil.put(tp.partition(), finished.end());
                    LOG.debug("{}/{}: {} records above offset {} finished before, skipped", endpoint.getTopic(), tp.partition(),
                            finished.finished().cardinality(), offset.offset());
                }
            }
        });
    }

    /**
     * Runs one record through the route, with its {@link Delivery} (so that its attempts and writes
     * stop once its partition is no longer owned). On failure: a record whose partition is gone is
     * given up (its new owner handles it); with exactly-once, its transaction is spoiled and it is
     * read again from the last commit; else it runs again later, keeping its key blocked.
     */
    private void handle(KeyOrderedDispatcher.Work<Object> work) {
        EventDelivery.Ownership ownership = owned.get(work.partition());
        if (!isRunAllowed() || ownership == null || !ownership.held() || !dispatcher.isCurrent(work)) {
            dispatcher.abandon(work);
            return;
        }
        EventDelivery delivery = writes.started(new EventDelivery(endpoint.getTopic(), work.partition(), work.offset(), work.seq(), ownership,
                tagged ? writes.tag(work.seq()) : null));
        Exchange exchange = createExchange(false);
        if (reader == null) {
            fill(exchange.getMessage(), (ConsumerRecord<?, ?>) work.item());
        } else {
            fill(exchange, reader, work.item());
        }
        exchange.setProperty(Delivery.PROPERTY, delivery);
        EventWrites by = writes;
        getAsyncProcessor().process(exchange, doneSync -> {
            Exception failure = exchange.getException();
            releaseExchange(exchange, false);
            if (failure == null) {
                // finished in the dispatcher first: a commit that its writes let go on must see its offset finished
                dispatcher.complete(work);
                by.finished(delivery);
            } else if (!delivery.owned() || !isRunAllowed()) {
                by.failed(delivery, false);
                dispatcher.abandon(work);
            } else if (by.isTransactional()) {
                LOG.warn("{}/{}@{} could not be handled; its transaction is aborted, and it is handled again: {}", endpoint.getTopic(),
                        work.partition(), work.offset(), failure.toString());
                by.failed(delivery, true);
                dispatcher.abandon(work);
            } else {
                by.failed(delivery, false);
                LOG.warn("{}/{}@{} could not be handled, trying again in {} ms: {}", endpoint.getTopic(), work.partition(),
                        work.offset(), endpoint.getRetryBackoffMs(), failure.toString());
                retryScheduler.schedule(() -> dispatchPool.execute(new KeyOrderedDispatcher.Task(work, () -> handle(work))),
                        endpoint.getRetryBackoffMs(), TimeUnit.MILLISECONDS);
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

    /**
     * On revocation: what waits is dropped, what runs may finish within the drain timeout; then
     * nothing of the partitions starts an attempt or writes a record any more, the writes under way
     * are waited for, and what is finished is committed (in the open transaction, exactly-once).
     */
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
                Map<Integer, FinishedOffsets> progress = dispatcher.release(partitions, commitFinished ? endpoint.getDrainTimeoutMs() : 0,
                        TimeUnit.MILLISECONDS);
                partitions.forEach(partition -> {
                    EventDelivery.Ownership ownership = owned.remove(partition);
                    if (ownership != null) {
                        ownership.revoke();
                    }
                });
                for (int partition : partitions) {
                    writes.awaitSends(partition, endpoint.getDrainTimeoutMs());
                }
                if (writes.isTransactional()) {
                    if (commitFinished) {
                        commitTransaction(() -> {
                            Map<Integer, FinishedOffsets> all = new HashMap<>(dispatcher.progress());
                            all.putAll(progress);
                            return all;
                        });
                    } else {
                        // records of events of partitions another member owns now must not be committed: the open
                        // transaction is aborted, and the partitions still owned read again from their last commit
                        writes.abort();
                        count(abortedTransactions);
                        rewind(partitions + " lost");
                    }
                } else if (commitFinished) {
                    commit(progress, true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            partitions.forEach(lastCommitted::remove);
            partitions.forEach(skipUntil::remove);
            partitions.forEach(committedProgress::remove);
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
            assigned.forEach(tp -> owned.put(tp.partition(), new EventDelivery.Ownership()));
            if (paused) {
                kafka.pause(assigned);
            }
        }
    }
}
