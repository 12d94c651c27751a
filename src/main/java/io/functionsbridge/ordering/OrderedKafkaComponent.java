package io.functionsbridge.ordering;

import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code ordered-kafka:topic}: a Kafka consumer endpoint that hands records to the route
 * concurrently across keys and in order within a key, commits each partition only up to its lowest
 * unfinished record, and stops fetching while its read-ahead is full. See {@link OrderedKafkaConsumer}.
 *
 * <p>Connection settings are set once here ({@code brokers}, {@code consumerProperties}); the
 * endpoint takes the group and the limits.
 */
public class OrderedKafkaComponent extends DefaultComponent {

    private String brokers = "localhost:9092";
    private Map<String, Object> consumerProperties = new HashMap<>();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        OrderedKafkaEndpoint endpoint = new OrderedKafkaEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** Bootstrap servers. */
    public String getBrokers() {
        return brokers;
    }

    public void setBrokers(String brokers) {
        this.brokers = brokers;
    }

    /** Extra Kafka consumer settings (security, timeouts...), passed as they are. */
    public Map<String, Object> getConsumerProperties() {
        return consumerProperties;
    }

    public void setConsumerProperties(Map<String, Object> consumerProperties) {
        this.consumerProperties = consumerProperties;
    }
}
