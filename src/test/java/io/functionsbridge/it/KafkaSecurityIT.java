package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.it.SecureKafka.Mode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bridge on secured Kafka listeners (docs/contract.md, "Kafka security"): SASL_SSL with
 * SCRAM-SHA-512 and SCRAM-SHA-256, SASL_PLAINTEXT with PLAIN, and SSL with a client certificate.
 * Events flow end to end through the consumers and the producers, a plaintext client is refused,
 * and wrong credentials or an untrusted broker certificate keep the bridge from consuming, with one
 * clear line and no secret in the log, JMX, the health answer or the metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaSecurityIT {

    /** The input consumers: messaging, chat, survey and transcript events. */
    private static final int INPUT_TOPICS = 4;


    private static final String FUNCTIONS = """
            functions:
              - id: secure-fn
                event: controllerbot_messaging_new_conversation
                url: %URL%/secure
                state: deployed
            """;

    private SecureKafka secure;
    private KafkaRecords kafka;
    private LocalFunctionServer functions;

    @BeforeAll
    void start() {
        secure = SecureKafka.get();
        kafka = new KafkaRecords(secure.plaintext());
        functions = LocalFunctionServer.start(0);
        functions.on("/secure", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"over a secured connection\"}]"));
    }

    @AfterAll
    void stop() {
        functions.close();
        kafka.close();
    }

    private RunningBridge bridge(Map<String, String> settings) {
        return RunningBridge.start(kafka, secure.plaintext(), FUNCTIONS.replace("%URL%", "http://127.0.0.1:" + functions.port()),
                "autoMessages: {}\n", settings);
    }

    private static String event(String convId) {
        return "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"" + convId + "\"}}";
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void eventsFlowEndToEnd(Mode mode) {
        try (RunningBridge bridge = bridge(secure.bridgeSettings(mode, SecureKafka.password(mode), "client-trust.p12"))) {
            String conv = "secure-" + mode;
            kafka.send(bridge.events, conv, event(conv));
            List<KafkaRecords.Received> commands = Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> kafka.readAll(bridge.commands), list -> !list.isEmpty());
            assertThat(commands).singleElement().satisfies(command -> {
                assertThat(command.key()).isEqualTo(conv);
                assertThat(command.value()).contains("over a secured connection");
            });
            assertThat(kafka.readAll(bridge.deadLetters)).isEmpty();
            assertThat(JmxScan.attributesContaining(bridge.events)).as("the scan reads the bridge's own attributes").isNotEmpty();
            Management management = new Management(bridge.managementUrl());
            String health = management.get("/observe/health?data=true").body();
            String metrics = management.get("/observe/metrics").body();
            assertThat(health).as("the health answer with its details").contains("ordered-kafka:" + bridge.events);
            for (String secret : List.of(SecureKafka.password(mode), SecureKafka.STORE_PASSWORD)) {
                assertThat(JmxScan.attributesContaining(secret)).as("JMX attributes showing a password").isEmpty();
                assertThat(health).as("the health answer").doesNotContain(secret);
                assertThat(metrics).as("the metrics").doesNotContain(secret);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void aPlaintextClientIsRefused(Mode mode) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, secure.bootstrap(mode));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "3000");
        try (KafkaProducer<String, String> plain = new KafkaProducer<>(props)) {
            assertThatThrownBy(() -> plain.partitionsFor("any-topic")).as("a plaintext client on the %s listener", mode.protocol)
                    .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
    }

    @Test
    void wrongCredentialsKeepTheBridgeFromConsumingWithOneClearLineAndNoSecret() {
        String wrong = "not-the-" + SecureKafka.SCRAM_PASSWORD;
        assertRefused(secure.bridgeSettings(Mode.SASL_SSL_SCRAM_SHA_512, wrong, "client-trust.p12"), "SaslAuthenticationException", wrong);
    }

    @Test
    void anUntrustedBrokerCertificateKeepsTheBridgeFromConsumingWithOneClearLine() {
        assertRefused(secure.bridgeSettings(Mode.SASL_SSL_SCRAM_SHA_512, SecureKafka.SCRAM_PASSWORD, "untrusted-trust.p12"),
                "SslAuthenticationException", SecureKafka.SCRAM_PASSWORD);
    }

    private void assertRefused(Map<String, String> settings, String failure, String password) {
        LogCapture logs = LogCapture.start(Level.INFO);
        try (RunningBridge bridge = bridge(settings)) {
            kafka.send(bridge.events, "refused-1", event("refused-1"));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> logs.lines().stream()
                    .filter(line -> line.contains("Kafka refused the consumer's authentication")).count() >= INPUT_TOPICS);
            // some time passes, the consumers keep trying: nothing is consumed, nothing is written
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                    kafka.readAll(bridge.commands).isEmpty() && kafka.readAll(bridge.deadLetters).isEmpty());
            // not ready, and the health answer says why, without the secret
            Management.Answer ready = new Management(bridge.managementUrl()).get("/observe/health/ready?data=true");
            assertThat(ready.status()).isEqualTo(503);
            assertThat(ready.body()).contains("Kafka refused the consumer's authentication").contains(failure)
                    .doesNotContain(password).doesNotContain(SecureKafka.STORE_PASSWORD);
        } finally {
            logs.stopCapture();
        }
        List<String> refusals = logs.lines().stream().filter(line -> line.contains("Kafka refused the consumer's authentication")).toList();
        assertThat(refusals).as("one line per input consumer, not one per try").hasSize(INPUT_TOPICS)
                .allSatisfy(line -> assertThat(line).startsWith("ERROR").contains(failure));
        assertThat(logs.lines()).noneMatch(line -> line.contains(password) || line.contains(SecureKafka.STORE_PASSWORD));
    }
}
