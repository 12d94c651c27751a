package io.functionsbridge.routes;

import io.functionsbridge.domain.BridgeEvent;
import io.functionsbridge.event.EventReader;
import io.functionsbridge.ordering.OrderedKafkaConsumer;
import java.nio.charset.StandardCharsets;
import org.apache.camel.ProducerTemplate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The records of the route tests, and how they reach a route: as the ordered-kafka consumer hands them over. */
final class RouteTestRecords {

    private RouteTestRecords() {
    }

    static ConsumerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ConsumerRecord<>(topic, 0, 0L, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    /** A messaging event's value: its cbotEventType and conversation. */
    static String messagingEvent(String cbotEventType, String convId) {
        return "{\"general\":{\"cbotEventType\":\"" + cbotEventType + "\",\"convId\":\"" + convId + "\"}}";
    }

    /** What the ordered-kafka consumer does with a record: the shipped reader reads it, the route gets the event. */
    static BridgeEvent send(ProducerTemplate template, String endpoint, EventReader reader, ConsumerRecord<byte[], byte[]> record) {
        BridgeEvent event = reader.read(record);
        template.send(endpoint, exchange -> OrderedKafkaConsumer.fill(exchange, reader, event));
        return event;
    }
}
