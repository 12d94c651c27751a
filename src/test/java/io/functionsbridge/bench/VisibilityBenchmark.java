package io.functionsbridge.bench;

import io.functionsbridge.BridgeApplication;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.it.Ports;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How soon an event's command is visible to a {@code read_committed} reader after its function
 * replied (CONTRACT §20), at a load the bridge is not saturated by: functions answering in 100 ms,
 * 150 events/s for 20 s, each event its own conversation. Exactly-once ({@code transaction-ms} 100)
 * and at-least-once, each twice, taking turns, after a first run of each that is not reported (the
 * JIT's); per event, from the function's reply to the command's arrival at the reader; p50, p99
 * and the longest.
 *
 * <pre>mvn -B -q -Pbench test-compile exec:exec -Dbench.main=io.functionsbridge.bench.VisibilityBenchmark</pre>
 */
public final class VisibilityBenchmark {

    private static final Pattern SEQ = Pattern.compile("seq\"?:(\\d+)");
    private static final int EVENTS = Integer.getInteger("bench.visibility.events", 3000);
    private static final int PER_SECOND = 150;

    private VisibilityBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(); LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            Map<Integer, Long> replied = new ConcurrentHashMap<>();
            functions.onRequest("/fn", request -> {
                Matcher seq = SEQ.matcher(request.body());
                int n = seq.find() ? Integer.parseInt(seq.group(1)) : -1;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                replied.put(n, System.currentTimeMillis());
                return LocalFunctionServer.Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + n + "\"}]");
            });
            List<String> rows = new ArrayList<>();
            int run = 0;
            // a first run of each, not reported: the JIT's, and the broker's first transactions'
            for (String delivery : List.of("exactly-once", "at-least-once", "exactly-once", "at-least-once", "at-least-once", "exactly-once")) {
                replied.clear();
                String row = measure(broker.bootstrapServers(), functions, replied, delivery, "vis" + run++);
                if (run > 2) {
                    rows.add(row);
                }
            }
            System.out.println();
            System.out.println("From the function's reply to the command at a read_committed reader, " + EVENTS + " events at " + PER_SECOND
                    + "/s, functions answering in 100 ms");
            System.out.println();
            System.out.println("| delivery | p50 ms | p99 ms | longest ms |");
            System.out.println("| --- | --- | --- | --- |");
            rows.forEach(System.out::println);
        }
    }

    private static String measure(String bootstrap, LocalFunctionServer functions, Map<Integer, Long> replied, String delivery, String prefix)
            throws Exception {
        String in = prefix + "-in";
        String out = prefix + "-out";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(in, 4, (short) 1), new NewTopic(out, 4, (short) 1), new NewTopic(out + "-dlq", 1, (short) 1),
                    new NewTopic(in + "-chat", 1, (short) 1))).all().get();
        }
        Path registry = Files.createTempFile("vis-functions", ".yaml");
        Files.writeString(registry, """
                functions:
                  - id: fn
                    event: controllerbot_messaging_new_conversation
                    url: %s
                    state: deployed
                """.formatted(functions.url("/fn")));
        Path autoMessages = Files.createTempFile("vis-auto", ".yaml");
        Files.writeString(autoMessages, "autoMessages: {}\n");
        Map<String, String> properties = new HashMap<>();
        properties.put("kafka.brokers", bootstrap);
        properties.put("bridge.topic.events", in);
        properties.put("bridge.topic.chat-events", in + "-chat");
        properties.put("bridge.topic.commands", out);
        properties.put("bridge.topic.dead-letter", out + "-dlq");
        properties.put("bridge.consumer.group", prefix);
        properties.put("bridge.functions.file", registry.toString());
        properties.put("bridge.auto-messages.file", autoMessages.toString());
        properties.put("bridge.delivery", delivery);
        properties.put("camel.main.jmxEnabled", "false");
        properties.put("camel.management.port", String.valueOf(Ports.free()));
        properties.put("camel.server.port", String.valueOf(Ports.free()));
        Main main = BridgeApplication.create(properties);
        main.start();
        Map<Integer, Long> visible = new ConcurrentHashMap<>();
        Thread reader = new Thread(() -> read(bootstrap, out, visible), "visibility-reader");
        reader.start();
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            long start = System.nanoTime();
            for (int seq = 0; seq < EVENTS; seq++) {
                long due = start + TimeUnit.SECONDS.toNanos(1) * seq / PER_SECOND;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String conv = "conv-" + seq;
                producer.send(new ProducerRecord<>(in, conv, "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\""
                        + conv + "\",\"seq\":" + seq + "}}"));
            }
            producer.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (visible.size() < EVENTS && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } finally {
            reader.interrupt();
            reader.join(10_000);
            main.stop();
        }
        List<Long> delays = new ArrayList<>();
        visible.forEach((seq, at) -> {
            Long reply = replied.get(seq);
            if (reply != null) {
                delays.add(at - reply);
            }
        });
        delays.sort(Long::compare);
        String row = String.format(Locale.ROOT, "| %s | %d | %d | %d |", delivery, percentile(delays, 50), percentile(delays, 99),
                delays.isEmpty() ? -1 : delays.get(delays.size() - 1));
        System.out.println(row + " (" + delays.size() + " of " + EVENTS + " seen)");
        return row;
    }

    private static long percentile(List<Long> sorted, int percent) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * percent / 100.0) - 1));
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props);
    }

    /** A read_committed reader of the commands: when each event's command reached it. */
    private static void read(String bootstrap, String topic, Map<Integer, Long> visible) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(10))) {
                    long now = System.currentTimeMillis();
                    Matcher seq = SEQ.matcher(new String(record.value(), StandardCharsets.UTF_8));
                    if (seq.find()) {
                        visible.putIfAbsent(Integer.parseInt(seq.group(1)), now);
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.InterruptException e) {
            // the measurement is over
        }
    }
}
