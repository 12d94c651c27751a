package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.functionsbridge.BridgeApplication;
import io.functionsbridge.BridgeMain;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** A registry the bridge refuses stops it before it consumes anything, with one clear message. */
class StartupIT {

    private static final String OVER_THE_LIMIT = """
            functions:
              - id: first-greeter
                event: controllerbot_messaging_new_conversation
                url: http://127.0.0.1:9/a
                state: deployed
              - id: second-greeter
                event: controllerbot_messaging_new_conversation
                url: http://127.0.0.1:9/b
                state: deployed
            """;

    @Test
    void aRefusedRegistryStopsTheStartBeforeAnythingIsConsumed() {
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers())) {
            String topic = "startup-" + System.nanoTime();
            String group = topic + "-group";
            kafka.createTopics(topic);
            kafka.send(topic, "c1", "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"c1\"}}");
            Main main = BridgeApplication.create(Map.of(
                    "kafka.brokers", SharedKafka.bootstrapServers(),
                    "bridge.topic.events", topic,
                    "bridge.consumer.group", group,
                    "bridge.functions.file", RunningBridge.write("over-limit", OVER_THE_LIMIT).toString()));

            assertThatThrownBy(main::start)
                    .satisfies(failure -> assertThat(BridgeApplication.registryProblem(failure)).get()
                            .extracting(Throwable::getMessage).asString()
                            .contains("event controllerbot_messaging_new_conversation has 2 deployed functions, more than its limit of 1: first-greeter, second-greeter"));
            assertThat(main.getCamelContext() == null || !main.getCamelContext().isStarted()).isTrue();
            assertThat(kafka.committed(group, topic)).as("nothing consumed").isEqualTo(-1L);
        }
    }

    @Test
    void anEleventhDeployedTranscriptFunctionIsRefusedAtStart() {
        StringBuilder eleven = new StringBuilder("functions:\n");
        for (int i = 1; i <= 11; i++) {
            eleven.append("  - id: transcript-").append(i).append("\n    event: denver_post_survey_email_transcript\n")
                    .append("    url: http://127.0.0.1:9/t").append(i).append("\n    state: deployed\n");
        }
        Main main = BridgeApplication.create(Map.of(
                "kafka.brokers", SharedKafka.bootstrapServers(),
                "camel.management.port", String.valueOf(Ports.free()),
                "camel.server.port", String.valueOf(Ports.free()),
                "bridge.functions.file", RunningBridge.write("eleven-transcripts", eleven.toString()).toString()));
        assertThatThrownBy(main::start)
                .satisfies(failure -> assertThat(BridgeApplication.registryProblem(failure)).get()
                        .extracting(Throwable::getMessage).asString()
                        .contains("event denver_post_survey_email_transcript has 11 deployed functions, more than its limit of 10: transcript-1,")
                        .contains("transcript-11"));
        assertThat(main.getCamelContext() == null || !main.getCamelContext().isStarted()).isTrue();
        // ten start
        String ten = eleven.substring(0, eleven.indexOf("  - id: transcript-11"));
        Main started = BridgeApplication.create(Map.of(
                "kafka.brokers", SharedKafka.bootstrapServers(),
                "camel.management.port", String.valueOf(Ports.free()),
                "camel.server.port", String.valueOf(Ports.free()),
                "bridge.topic.events", "ten-transcripts-" + System.nanoTime(),
                "bridge.functions.file", RunningBridge.write("ten-transcripts", ten).toString()));
        try {
            started.start();
            assertThat(started.getCamelContext().isStarted()).isTrue();
        } catch (Exception e) {
            throw new AssertionError("ten transcript functions did not start", e);
        } finally {
            started.stop();
        }
    }

    @Test
    void theProcessExitsWithStatusTwoAndNamesTheProblem() throws Exception {
        Path registry = RunningBridge.write("unknown-event", """
                functions:
                  - id: lost-function
                    event: controllerbot_messaging_unknown
                    url: http://127.0.0.1:9/a
                    state: deployed
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dkafka.brokers=127.0.0.1:9", "-Dcamel.management.port=" + Ports.free(), "-Dcamel.server.port=" + Ports.free(), "-Dbridge.functions.file=" + registry, BridgeMain.class.getName())
                .directory(new File(System.getProperty("user.dir")))
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isEqualTo(BridgeMain.EXIT_REFUSED_CONFIGURATION);
        assertThat(output).contains("functions-bridge: not started: function registry")
                .contains("function lost-function names unknown event 'controllerbot_messaging_unknown'");
    }

    @Test
    void exactlyOnceOnABrokerWithoutTransactionsStopsTheStartInOneLine() {
        // a one-broker cluster asked to keep its transaction log on three: it has no transactions to give
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(List.of(), Map.of("transaction.state.log.replication.factor", "3"),
                List.of())) {
            LogCapture logs = LogCapture.start(Level.ERROR);
            Main main = BridgeApplication.create(Map.of(
                    "kafka.brokers", broker.bootstrapServers(),
                    "bridge.delivery", "exactly-once",
                    "camel.management.port", String.valueOf(Ports.free()),
                    "camel.server.port", String.valueOf(Ports.free()),
                    "bridge.functions.file", RunningBridge.write("no-transactions", "functions: []\n").toString()));
            try {
                assertThatThrownBy(main::start).satisfies(failure -> assertThat(BridgeApplication.registryProblem(failure)).get()
                        .extracting(Throwable::getMessage).asString()
                        .contains("bridge.delivery=exactly-once needs Kafka transactions, and the brokers at " + broker.bootstrapServers()
                                + " refused them"));
            } finally {
                logs.stopCapture();
            }
            assertThat(logs.lines()).filteredOn(line -> line.contains("functions-bridge: not started:")).hasSize(1)
                    .allSatisfy(line -> assertThat(line).contains("needs Kafka transactions"));
        }
    }
}
