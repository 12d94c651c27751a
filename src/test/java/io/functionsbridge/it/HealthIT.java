package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Health over HTTP as an orchestrator sees it: ready while connected to Kafka, DOWN (503) once the
 * broker has been gone for bridge.health.kafka-timeout-ms, UP again when it is back; live all along
 * (the poll loops run); and no event written meanwhile is lost.
 */
class HealthIT {

    @Test
    void healthGoesDownWithTheBrokerAndUpWhenItIsBackAndNoEventIsLost() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             KafkaRecords kafka = new KafkaRecords(broker.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            SeqLedger.serveEcho(functions, "/fn", seq -> 200);
            String registry = """
                    functions:
                      - id: health-fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn"));
            try (RunningBridge bridge = RunningBridge.start(kafka, broker.bootstrapServers(), registry, "autoMessages: {}\n",
                    Map.of("bridge.health.kafka-timeout-ms", "3000"));
                 KafkaProducer<String, String> producer = producer(broker.bootstrapServers())) {
                Management management = new Management(bridge.managementUrl());
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> management.get("/observe/health/ready").status() == 200);
                assertThat(management.get("/observe/health/ready").body()).contains("\"status\":\"UP\"");
                assertThat(management.get("/observe/health/live").status()).isEqualTo(200);
                int before = 20;
                for (int i = 0; i < before; i++) {
                    kafka.send(bridge.events, "conv-" + i, SeqLedger.event("conv-" + i, i));
                }

                // the producer knows the topic before the broker goes: it holds what is written meanwhile
                producer.partitionsFor(bridge.events);
                broker.stop();
                long stopped = System.nanoTime();
                Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> management.get("/observe/health/ready").status() == 503);
                System.out.printf("health: DOWN %d ms after the broker stopped (bridge.health.kafka-timeout-ms 3000)%n",
                        (System.nanoTime() - stopped) / 1_000_000);
                Management.Answer ready = management.get("/observe/health/ready");
                assertThat(ready.body()).contains("\"status\":\"DOWN\"").contains("ordered-kafka:" + bridge.events)
                        .contains("no connection to Kafka");
                assertThat(management.get("/observe/health").status()).isEqualTo(503);
                assertThat(management.get("/observe/health/live").status()).as("the poll loops still run").isEqualTo(200);

                // written while the broker is away: the producer holds them until it is back
                int during = 20;
                List<Future<RecordMetadata>> pending = new ArrayList<>();
                for (int i = before; i < before + during; i++) {
                    pending.add(producer.send(new ProducerRecord<>(bridge.events, "conv-" + i, SeqLedger.event("conv-" + i, i))));
                }
                broker.restart();
                for (Future<RecordMetadata> sent : pending) {
                    sent.get();
                }
                long restarted = System.nanoTime();
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> management.get("/observe/health/ready").status() == 200);
                System.out.printf("health: UP %d ms after the broker was back%n", (System.nanoTime() - restarted) / 1_000_000);

                int events = before + during;
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> SeqLedger.tally(kafka.readAll(bridge.commands)).distinct() == events);
                assertThat(SeqLedger.tally(kafka.readAll(bridge.commands)).distinct()).as("no event lost").isEqualTo(events);
                assertThat(kafka.readAll(bridge.deadLetters)).isEmpty();
                assertThat(management.get("/observe/health").status()).isEqualTo(200);
            }
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }
}
