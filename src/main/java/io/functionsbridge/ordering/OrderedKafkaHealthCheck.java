package io.functionsbridge.ordering;

import java.util.Map;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * The health of one {@code ordered-kafka} consumer. Live: its poll loop runs. Ready: besides, it is
 * connected to Kafka (a broker unreachable for longer than the component's {@code healthTimeoutMs}
 * makes it DOWN) and Kafka accepts its credentials.
 */
final class OrderedKafkaHealthCheck extends AbstractHealthCheck {

    private final OrderedKafkaConsumer consumer;

    OrderedKafkaHealthCheck(OrderedKafkaConsumer consumer) {
        super("functions-bridge", "ordered-kafka:" + consumer.getEndpoint().getTopic());
        this.consumer = consumer;
    }

    @Override
    public boolean isLiveness() {
        return true;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("topic", consumer.getEndpoint().getTopic());
        builder.detail("group.id", consumer.getEndpoint().getGroupId());
        if (!consumer.isPollLoopRunning()) {
            builder.down().message("the poll loop is not running");
            return;
        }
        if (options.get(CHECK_KIND) == HealthCheck.Kind.LIVENESS) {
            builder.up();
            return;
        }
        String problem = consumer.connectionProblem();
        if (problem == null) {
            builder.up();
        } else {
            builder.down().message(problem);
        }
    }
}
