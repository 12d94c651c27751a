package io.functionsbridge.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes and reads records on the test broker with plain Kafka clients. */
final class KafkaRecords implements AutoCloseable {

    /** A record as read back, with text key, value and headers. */
    record Received(String key, String value, Map<String, String> headers, long offset) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final String bootstrap;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;

    KafkaRecords(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 * 1024 * 1024));
        producer = new KafkaProducer<>(props);
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        admin = Admin.create(adminProps);
    }

    void createTopics(String... topics) {
        createTopics(1, topics);
    }

    /** Creates the topics that do not exist yet, with that many partitions. */
    void createTopics(int partitions, String... topics) {
        try {
            java.util.Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> newTopics = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    newTopics.add(new NewTopic(topic, partitions, (short) 1));
                }
            }
            admin.createTopics(newTopics).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot create topics", e);
        }
    }

    /** Everything on all partitions of the topic so far. */
    List<Received> readAllPartitions(String topic) {
        return readPartitions(topic, "read_uncommitted");
    }

    /** What a read_committed reader sees on all partitions of the topic so far. */
    List<Received> readCommittedPartitions(String topic) {
        return readPartitions(topic, "read_committed");
    }

    private List<Received> readPartitions(String topic, String isolation) {
        try {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            List<Received> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                all.addAll(read(topic, p, isolation));
            }
            return all;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot describe " + topic, e);
        }
    }

    /** Writes a record and waits for its acknowledgement; returns its offset. */
    long send(String topic, String key, String value, Map<String, String> headers) {
        return sendBytes(topic, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** Writes a record whose value is raw bytes (maybe not even UTF-8); returns its offset. */
    long sendBytes(String topic, String key, byte[] value, Map<String, String> headers) {
        return sendAt(topic, null, key, value, headers);
    }

    /** Writes a record with that timestamp (epoch ms; {@code null}: now); returns its offset. */
    long sendAt(String topic, Long timestamp, String key, byte[] value, Map<String, String> headers) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, timestamp,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
        headers.forEach((name, value1) -> record.headers().add(name, value1.getBytes(StandardCharsets.UTF_8)));
        try {
            return producer.send(record).get().offset();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    long send(String topic, String key, String value) {
        return send(topic, key, value, Map.of());
    }

    /** Writes records (key, value) in this order, then waits for them all to be acknowledged. */
    void sendAll(String topic, List<Map.Entry<String, String>> records) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (Map.Entry<String, String> record : records) {
            if (sent.size() == 1) {
                // the first record alone, acknowledged, before the burst: a burst into a topic just
                // created once failed here (the broker took the first batch, the producer retried it,
                // and the retry was refused as OutOfOrderSequence until the delivery timeout)
                awaitAll(topic, sent);
            }
            sent.add(producer.send(new ProducerRecord<>(topic, record.getKey() == null ? null : record.getKey().getBytes(StandardCharsets.UTF_8),
                    record.getValue().getBytes(StandardCharsets.UTF_8))));
        }
        awaitAll(topic, sent);
    }

    private static void awaitAll(String topic, List<Future<RecordMetadata>> sent) {
        try {
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot write to " + topic, e);
        }
    }

    /** Everything on the topic so far (single partition), read from the beginning. */
    List<Received> readAll(String topic) {
        return read(topic, 0);
    }

    /** What a reader with {@code isolation.level=read_committed} sees of the topic (single partition): committed transactions' records only. */
    List<Received> readCommitted(String topic) {
        return read(topic, 0, "read_committed");
    }

    private List<Received> read(String topic, int partitionNumber) {
        return read(topic, partitionNumber, "read_uncommitted");
    }

    private List<Received> read(String topic, int partitionNumber, String isolation) {
        Properties props = new Properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<Received> received = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            TopicPartition partition = new TopicPartition(topic, partitionNumber);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new java.util.LinkedHashMap<>();
                    for (Header header : record.headers()) {
                        headers.put(header.key(), header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8));
                    }
                    received.add(new Received(
                            record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8),
                            record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8),
                            headers, record.offset()));
                }
            }
        }
        return received;
    }

    /** The offset after the last record of partition 0 of the topic: how many it holds. */
    long endOffset(String topic) {
        TopicPartition partition = new TopicPartition(topic, 0);
        try {
            return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot read the end of " + topic, e);
        }
    }

    /** The group's committed offset on partition 0 of the topic (the next offset to read), or -1. */
    long committed(String group, String topic) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
            return offset == null ? -1 : offset.offset();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of " + group, e);
        }
    }

    static String describe(List<Received> records) {
        return records.stream().map(r -> r.key() + " " + r.value() + " " + r.headers()).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
    }
}
