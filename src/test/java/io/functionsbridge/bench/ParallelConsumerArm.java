package io.functionsbridge.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.vertx.VertxParallelEoSStreamProcessor;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The peer: Confluent's parallel-consumer (Vert.x module) with KEY ordering and the same in-flight
 * cap, calling the function with Vert.x's WebClient and writing its reply to the output topic
 * before the record counts as done (retried failures after the same backoff).
 */
final class ParallelConsumerArm implements Arm {

    @Override
    public String name() {
        return "parallel-consumer (KEY)";
    }

    @Override
    public boolean claimsOrdering() {
        return true;
    }

    @Override
    public Running start(String bootstrap, String in, String out, String functionUrl, Workload workload) {
        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, in + "-pc");
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps);
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps);

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
        WebClient client = WebClient.create(vertx, new WebClientOptions().setMaxPoolSize(workload.cap()).setKeepAlive(true).setTcpNoDelay(true));
        ParallelConsumerOptions<String, String> options = ParallelConsumerOptions.<String, String>builder()
                .ordering(ParallelConsumerOptions.ProcessingOrder.KEY)
                .maxConcurrency(workload.cap())
                .consumer(consumer)
                .commitMode(ParallelConsumerOptions.CommitMode.PERIODIC_CONSUMER_ASYNCHRONOUS)
                .defaultMessageRetryDelay(Duration.ofMillis(Benchmark.RETRY_BACKOFF_MS))
                .build();
        VertxParallelEoSStreamProcessor<String, String> processor = new VertxParallelEoSStreamProcessor<>(vertx, client, options);
        processor.subscribe(List.of(in));
        processor.vertxFuture(context -> {
            ConsumerRecord<String, String> record = context.getSingleConsumerRecord();
            Promise<Void> done = Promise.promise();
            String envelope = "{\"timestamp\":" + System.currentTimeMillis() + ",\"headers\":[],\"payload\":" + record.value() + "}";
            client.postAbs(functionUrl).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(envelope))
                    .onFailure(done::fail)
                    .onSuccess(response -> {
                        if (response.statusCode() >= 300) {
                            done.fail("HTTP " + response.statusCode());
                            return;
                        }
                        producer.send(new ProducerRecord<>(out, record.key(), response.bodyAsString()), (metadata, failure) -> {
                            if (failure != null) {
                                done.fail(failure);
                            } else {
                                done.complete();
                            }
                        });
                    });
            return done.future();
        });
        return () -> {
            processor.close();
            producer.close();
            vertx.close();
        };
    }
}
