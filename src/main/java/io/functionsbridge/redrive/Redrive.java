package io.functionsbridge.redrive;

import io.functionsbridge.BridgeApplication;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
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
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code java -jar target/functions-bridge.jar redrive [options]} (docs/contract.md, "Dead-letter
 * redrive"): publishes chosen dead letters again to the topic they came from, with the key, value
 * and headers of the original record, plus {@code bridgeRedriveOf} and {@code bridgeRedriveCount}.
 *
 * <p>It runs with the bridge's {@code application.properties} and the kafka component's settings
 * (security included). It reads the dead-letter topic up to its end at the start, and the ledger
 * of what was redriven ({@code bridge.redrive.ledger-topic}, a compacted topic keyed by the dead
 * letter's coordinates): a dead letter in the ledger is skipped, so a second run, here or on
 * another machine, publishes nothing twice. Each record and its ledger entry are written in one
 * Kafka transaction: both or neither.
 */
public final class Redrive {

    /** Exit status: done. */
    public static final int OK = 0;
    /** Exit status: Kafka could not be reached, or refused. */
    public static final int FAILED = 1;
    /** Exit status: an unknown option or a bad value. */
    public static final int USAGE = 2;

    private final PrintStream out;
    private final KafkaConfiguration kafka;
    private final String deadLetters;
    private final String ledger;
    private final int maxCount;
    private final int timeoutMs;

    private Redrive(PrintStream out, KafkaConfiguration kafka, String deadLetters, String ledger, int maxCount, int timeoutMs) {
        this.out = out;
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.ledger = ledger;
        this.maxCount = maxCount;
        this.timeoutMs = timeoutMs;
    }

    /** Runs the subcommand with the arguments after {@code redrive}; returns the exit status. */
    public static int run(String[] args, Map<String, String> overrides, PrintStream out, PrintStream err) {
        RedriveOptions options;
        try {
            options = RedriveOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("functions-bridge redrive: " + e.getMessage());
            err.println(RedriveOptions.USAGE);
            return USAGE;
        }
        Main main = BridgeApplication.create(settingsOnly(overrides));
        try {
            main.start();
        } catch (Exception e) {
            err.println("functions-bridge redrive: cannot read the bridge's settings: " + e.getMessage());
            return FAILED;
        }
        try {
            CamelContext context = main.getCamelContext();
            KafkaConfiguration kafka = context.getComponent("kafka", KafkaComponent.class).getConfiguration();
            Redrive redrive = new Redrive(out, kafka, context.resolvePropertyPlaceholders("{{bridge.topic.dead-letter}}"),
                    context.resolvePropertyPlaceholders("{{bridge.redrive.ledger-topic}}"),
                    Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.redrive.max-count}}")),
                    Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.redrive.kafka-timeout-ms}}")));
            return redrive.redrive(options);
        } catch (KafkaException | InterruptedException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            err.println("functions-bridge redrive: Kafka at " + brokers(main) + " failed: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
            return FAILED;
        } finally {
            main.stop();
        }
    }

    /** The bridge's settings, without its routes, servers or JMX: only the Kafka component is needed. */
    private static Map<String, String> settingsOnly(Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(overrides);
        settings.put("camel.main.routesIncludePattern", "classpath:io/functionsbridge/redrive/no-routes.camel.yaml");
        settings.put("camel.main.name", "functions-bridge-redrive");
        settings.put("camel.main.jmxEnabled", "false");
        settings.put("camel.management.enabled", "false");
        settings.put("camel.server.enabled", "false");
        settings.put("camel.metrics.enabled", "false");
        settings.put("camel.main.routesReloadEnabled", "false");
        return settings;
    }

    private static String brokers(Main main) {
        try {
            return main.getCamelContext().resolvePropertyPlaceholders("{{kafka.brokers}}");
        } catch (RuntimeException e) {
            return "(unknown)";
        }
    }

    private int redrive(RedriveOptions options) throws InterruptedException, ExecutionException {
        Map<String, String> redriven = readLedger();
        List<DeadLetter> letters = readDeadLetters();
        out.printf("redrive: %d dead letter(s) in %s, %d redriven before (%s)%n", letters.size(), deadLetters, redriven.size(), ledger);
        int chosen = 0;
        int published = 0;
        int skipped = 0;
        long intervalNanos = (long) (1_000_000_000L / options.rate());
        long next = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = options.dryRun() ? null : producer()) {
            for (DeadLetter letter : letters) {
                if (published >= options.max()) {
                    break;
                }
                if (!options.chooses(letter)) {
                    continue;
                }
                chosen++;
                String line = "chosen " + letter.coordinates() + " key " + letter.keyText() + " " + letter.reason()
                        + (letter.function() == null ? "" : " function " + letter.function()) + " written " + letter.writtenAt() + " -> ";
                String before = redriven.get(letter.coordinates());
                if (before != null) {
                    skipped++;
                    out.println(line + "skipped: redriven before (" + before + ")");
                    continue;
                }
                if (letter.redriveCount() >= maxCount) {
                    skipped++;
                    out.println(line + "skipped: redriven " + letter.redriveCount() + " times already (bridge.redrive.max-count " + maxCount + ")");
                    continue;
                }
                if (letter.sourceTopic() == null) {
                    skipped++;
                    out.println(line + "skipped: no bridgeSourceTopic header");
                    continue;
                }
                int count = letter.redriveCount() + 1;
                if (options.dryRun()) {
                    published++;
                    out.println(line + "dry run: would publish to " + letter.sourceTopic() + " (redrive " + count + ")");
                    continue;
                }
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                next = Math.max(next, System.nanoTime() - intervalNanos) + intervalNanos;
                String at = publish(producer, letter, count);
                published++;
                out.println(line + "published to " + at + " (redrive " + count + ")");
            }
        }
        out.printf("chosen %d, published %d, skipped %d%s%n", chosen, options.dryRun() ? 0 : published, skipped,
                options.dryRun() ? " (dry run: " + published + " would be published)" : "");
        return OK;
    }

    /** Publishes the dead letter's record again and notes it in the ledger, in one transaction. */
    private String publish(KafkaProducer<byte[], byte[]> producer, DeadLetter letter, int count) throws InterruptedException, ExecutionException {
        ConsumerRecord<byte[], byte[]> record = letter.record();
        ProducerRecord<byte[], byte[]> again = new ProducerRecord<>(letter.sourceTopic(), null, record.key(), record.value());
        for (Header header : record.headers()) {
            if (!DeadLetter.isDiagnosis(header.key())) {
                again.headers().add(header.key(), header.value());
            }
        }
        again.headers().add(DeadLetter.REDRIVE_OF, letter.coordinates().getBytes(StandardCharsets.UTF_8));
        again.headers().add(DeadLetter.REDRIVE_COUNT, String.valueOf(count).getBytes(StandardCharsets.UTF_8));
        producer.beginTransaction();
        try {
            var sent = producer.send(again);
            producer.flush();
            var metadata = sent.get();
            String at = metadata.topic() + "/" + metadata.partition() + "/" + metadata.offset();
            producer.send(new ProducerRecord<>(ledger, letter.coordinates().getBytes(StandardCharsets.UTF_8), at.getBytes(StandardCharsets.UTF_8)));
            producer.commitTransaction();
            return at;
        } catch (KafkaException | ExecutionException e) {
            producer.abortTransaction();
            throw e;
        }
    }

    /** Every dead letter, from the beginning of each partition to its end at the start. */
    private List<DeadLetter> readDeadLetters() {
        List<DeadLetter> letters = new ArrayList<>();
        readToEnd(deadLetters, record -> letters.add(new DeadLetter(record)));
        return letters;
    }

    /** What was redriven before: dead letter coordinates -> where it was published. */
    private Map<String, String> readLedger() throws InterruptedException, ExecutionException {
        createLedger();
        Map<String, String> redriven = new HashMap<>();
        readToEnd(ledger, record -> redriven.put(new String(record.key(), StandardCharsets.UTF_8),
                record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8)));
        return redriven;
    }

    private void readToEnd(String topic, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofMillis(timeoutMs));
            if (partitions == null || partitions.isEmpty()) {
                return;
            }
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofMillis(timeoutMs));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (assigned.stream().anyMatch(p -> consumer.position(p, Duration.ofMillis(timeoutMs)) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        records.add(record);
                    }
                }
            }
            records.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition()) : Long.compare(a.offset(), b.offset()));
            records.forEach(each);
        }
    }

    /** The ledger: compacted, so that it keeps one entry per dead letter redriven, for good. */
    private void createLedger() throws InterruptedException, ExecutionException {
        Properties admin = new Properties();
        admin.putAll(kafka.createConsumerProperties());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokers());
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin client = Admin.create(admin)) {
            if (client.listTopics().names().get(timeoutMs, TimeUnit.MILLISECONDS).contains(ledger)) {
                return;
            }
            client.createTopics(List.of(new NewTopic(ledger, 1, (short) -1).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT)))).all().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new org.apache.kafka.common.errors.TimeoutException("no answer within " + timeoutMs + " ms (bridge.redrive.kafka-timeout-ms)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new org.apache.kafka.common.errors.TimeoutException("no answer within " + timeoutMs + " ms (bridge.redrive.kafka-timeout-ms)");
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private Properties consumerProperties() {
        Properties props = new Properties();
        props.putAll(kafka.createConsumerProperties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokers());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.putAll(kafka.createProducerProperties());
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "functions-bridge-redrive-" + deadLetters);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
        producer.initTransactions();
        return producer;
    }
}
