package io.functionsbridge.ordering;

import io.functionsbridge.domain.Delivery;
import io.functionsbridge.domain.PartitionRevokedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;

/**
 * The client factory of the routes' kafka endpoints ({@code kafkaClientFactory: "#eventWrites"}): their
 * producers hand each record of an event (tagged with the
 * {@value Delivery#HEADER} header, which they take off) to its input topic's {@link EventWrites},
 * serialized as the endpoint says; the records of anything else (a host's own routes) go out through
 * a producer of their own, as with camel-kafka's default factory. Consumers are camel-kafka's.
 */
public final class EventWritesClientFactory extends DefaultKafkaClientFactory {

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Producer getProducer(Properties properties) {
        return new TaggedRecords(properties);
    }

    /** A route endpoint's producer: tagged records to their events' writes, others to a producer of its own. */
    private static final class TaggedRecords implements Producer<Object, Object> {
        private final Properties properties;
        private final Serializer<Object> keys;
        private final Serializer<Object> values;
        private volatile KafkaProducer<Object, Object> untagged;

        TaggedRecords(Properties properties) {
            this.properties = properties;
            this.keys = serializer(properties, ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, true);
            this.values = serializer(properties, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, false);
        }

        @SuppressWarnings("unchecked")
        private static Serializer<Object> serializer(Properties properties, String key, boolean isKey) {
            Object configured = properties.get(key);
            try {
                Serializer<Object> serializer = configured instanceof Serializer<?> given ? (Serializer<Object>) given
                        : (Serializer<Object>) Utils.newInstance(configured instanceof Class<?> type ? type.getName() : String.valueOf(configured),
                        Serializer.class);
                serializer.configure((Map) properties, isKey);
                return serializer;
            } catch (ClassNotFoundException e) {
                throw new IllegalArgumentException("the serializer " + configured + " is not on the classpath", e);
            }
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<Object, Object> record) {
            return send(record, null);
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<Object, Object> record, Callback callback) {
            Header header = record.headers().lastHeader(Delivery.HEADER);
            if (header == null) {
                return untagged().send(record, callback);
            }
            String tag = new String(header.value(), StandardCharsets.UTF_8);
            EventWrites writes = EventWrites.of(tag);
            if (writes == null) {
                // its consumer's writes ended (stopped, or replaced after a failed transaction): its event is given up
                PartitionRevokedException gone = new PartitionRevokedException("a record of an event whose consumer no longer writes");
                if (callback != null) {
                    callback.onCompletion(null, gone);
                }
                return CompletableFuture.failedFuture(gone);
            }
            record.headers().remove(Delivery.HEADER);
            ProducerRecord<byte[], byte[]> serialized = new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(),
                    keys.serialize(record.topic(), record.headers(), record.key()), values.serialize(record.topic(), record.headers(), record.value()),
                    record.headers());
            CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
            writes.send(tag, serialized, (metadata, failure) -> {
                if (callback != null) {
                    callback.onCompletion(metadata, failure);
                }
                if (failure == null) {
                    written.complete(metadata);
                } else {
                    written.completeExceptionally(failure);
                }
            });
            return written;
        }

        private KafkaProducer<Object, Object> untagged() {
            KafkaProducer<Object, Object> made = untagged;
            if (made == null) {
                synchronized (this) {
                    made = untagged;
                    if (made == null) {
                        made = new KafkaProducer<>(properties);
                        untagged = made;
                    }
                }
            }
            return made;
        }

        @Override
        public void flush() {
            KafkaProducer<Object, Object> made = untagged;
            if (made != null) {
                made.flush();
            }
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            return untagged().partitionsFor(topic);
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            KafkaProducer<Object, Object> made = untagged;
            return made == null ? Map.of() : made.metrics();
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            return untagged().clientInstanceId(timeout);
        }

        @Override
        public void close() {
            close(Duration.ofSeconds(30));
        }

        @Override
        public void close(Duration timeout) {
            KafkaProducer<Object, Object> made = untagged;
            if (made != null) {
                made.close(timeout);
            }
        }

        // the transactions are the consumers' (EventWrites), not the endpoints'
        @Override
        public void initTransactions() {
            throw new UnsupportedOperationException("the bridge's consumers make its transactions (bridge.delivery)");
        }

        @Override
        public void beginTransaction() {
            initTransactions();
        }

        @Override
        @Deprecated
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, String consumerGroupId) {
            initTransactions();
        }

        @Override
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata groupMetadata) {
            initTransactions();
        }

        @Override
        public void commitTransaction() {
            initTransactions();
        }

        @Override
        public void abortTransaction() {
            initTransactions();
        }
    }
}
