package io.functionsbridge.ordering;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Component;
import org.apache.camel.Endpoint;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code ordered-kafka:topic}: a Kafka consumer endpoint that hands records to the route
 * concurrently across keys and in order within a key, commits each partition only up to its lowest
 * unfinished record, and stops fetching while its read-ahead is full. See {@link OrderedKafkaConsumer}.
 *
 * <p>Its connection settings are the camel-kafka component's ({@code camel.component.kafka.*}:
 * brokers, security protocol, SASL, SSL, additional properties), so that one configuration secures
 * every Kafka connection of an application; {@code brokers} and {@code consumerProperties} set here
 * override them. The endpoint takes the group and the limits.
 */
public class OrderedKafkaComponent extends DefaultComponent {

    private String brokers;
    private String kafkaComponent = "kafka";
    private Map<String, Object> consumerProperties = new HashMap<>();
    private long healthTimeoutMs = 15_000;
    private String meterRegistry = "metricsRegistry";
    private String instanceId = "";
    private String delivery = AT_LEAST_ONCE;
    private long transactionMs = 100;
    private int maxRequestBytes = 16_777_216;

    /** The values of {@link #setDelivery}. */
    public static final String AT_LEAST_ONCE = "at-least-once";
    public static final String EXACTLY_ONCE = "exactly-once";

    /**
     * The Micrometer registry the consumers' gauges go to (in-flight events, lag): the bean of this
     * name ({@code metricsRegistry}, Camel's, by default), else the only one there is; none, no gauges.
     */
    public String getMeterRegistry() {
        return meterRegistry;
    }

    public void setMeterRegistry(String meterRegistry) {
        this.meterRegistry = meterRegistry;
    }

    MeterRegistry findMeterRegistry() {
        MeterRegistry named = getCamelContext().getRegistry().lookupByNameAndType(meterRegistry, MeterRegistry.class);
        if (named != null) {
            return named;
        }
        Set<MeterRegistry> found = getCamelContext().getRegistry().findByType(MeterRegistry.class);
        return found.size() == 1 ? found.iterator().next() : null;
    }

    /** The camel-kafka component whose settings the consumers take (its name, {@code kafka} by default). */
    public String getKafkaComponent() {
        return kafkaComponent;
    }

    public void setKafkaComponent(String kafkaComponent) {
        this.kafkaComponent = kafkaComponent;
    }

    /** The camel-kafka component's configuration, or {@code null} when there is no such component. */
    KafkaConfiguration sharedConfiguration() {
        Component kafka = getCamelContext().getComponent(kafkaComponent);
        return kafka instanceof KafkaComponent component ? component.getConfiguration() : null;
    }

    /**
     * Whether the routes' kafka endpoints hand the events' records to their consumers' writes (their
     * {@code kafkaClientFactory} is an {@link EventWritesClientFactory}, the {@code #eventWrites}
     * bean): exactly-once needs it.
     */
    boolean writesThroughConsumers() {
        Component kafka = getCamelContext().hasComponent(kafkaComponent);
        if (kafka instanceof KafkaComponent component && component.getKafkaClientFactory() instanceof EventWritesClientFactory) {
            return true;
        }
        return getCamelContext().getEndpoints().stream()
                .anyMatch(endpoint -> endpoint instanceof KafkaEndpoint writer && writer.getKafkaClientFactory() instanceof EventWritesClientFactory);
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        OrderedKafkaEndpoint endpoint = new OrderedKafkaEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** Bootstrap servers; unset: the camel-kafka component's. */
    public String getBrokers() {
        return brokers;
    }

    public void setBrokers(String brokers) {
        this.brokers = brokers;
    }

    /** How long a consumer may be without a connection to Kafka before it is not ready (bridge.health.kafka-timeout-ms). */
    public long getHealthTimeoutMs() {
        return healthTimeoutMs;
    }

    public void setHealthTimeoutMs(long healthTimeoutMs) {
        this.healthTimeoutMs = healthTimeoutMs;
    }

    /**
     * Kafka static membership: with an id, each consumer joins its group as the member
     * {@code <instanceId>-<topic>} ({@code group.instance.id}), so that an instance restarted under the
     * same id gets its partitions back at once instead of after its old session expires. Such a member
     * does not leave the group when it stops: its partitions wait for it, up to {@code session.timeout.ms}.
     * Empty (the default): dynamic membership.
     */
    public String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(String instanceId) {
        this.instanceId = instanceId == null ? "" : instanceId.trim();
    }

    /**
     * How the consumers' events' records (commands, dead letters) and offsets are written
     * (bridge.delivery): {@code at-least-once} (the default: offsets committed after the records;
     * after a crash, what was unfinished is written again) or {@code exactly-once} (records, dead
     * letters and offsets in one Kafka transaction per input topic, committed every transactionMs:
     * a read_committed reader sees each once). Anything else refuses the start.
     */
    public String getDelivery() {
        return delivery;
    }

    public void setDelivery(String delivery) {
        String given = delivery == null || delivery.isBlank() ? AT_LEAST_ONCE : delivery.trim();
        if (!AT_LEAST_ONCE.equals(given) && !EXACTLY_ONCE.equals(given)) {
            throw new IllegalArgumentException("bridge.delivery is '" + delivery + "' (at-least-once | exactly-once)");
        }
        this.delivery = given;
    }

    boolean isExactlyOnce() {
        return EXACTLY_ONCE.equals(delivery);
    }

    /** Exactly-once: how often a transaction is committed (bridge.delivery.transaction-ms). */
    public long getTransactionMs() {
        return transactionMs;
    }

    public void setTransactionMs(long transactionMs) {
        this.transactionMs = transactionMs;
    }

    /** The largest record the consumers' events write: a dead letter as large as an input record (bridge.dead-letter.max-request-bytes). */
    public int getMaxRequestBytes() {
        return maxRequestBytes;
    }

    public void setMaxRequestBytes(int maxRequestBytes) {
        this.maxRequestBytes = maxRequestBytes;
    }

    /** Extra Kafka consumer settings, passed as they are, over the camel-kafka component's. */
    public Map<String, Object> getConsumerProperties() {
        return consumerProperties;
    }

    public void setConsumerProperties(Map<String, Object> consumerProperties) {
        this.consumerProperties = consumerProperties;
    }
}
