package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.BridgeMain;
import io.functionsbridge.demo.LocalFunctionServer;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The bridge process is killed with SIGKILL in the middle of a run and started again: every event
 * has its outcome afterwards, and each duplicate carries the commandId of its first copy.
 * {@code -Dreliability.events=20000} runs the full size (5000 by default, to fit CI).
 */
class CrashIT {

    @Test
    void aKilledBridgeRestartedLosesNothingAndItsDuplicatesKeepTheirCommandIds() throws Exception {
        int events = Integer.getInteger("reliability.events", 5000);
        int conversations = events / 5;
        String prefix = "crash" + UUID.randomUUID().toString().substring(0, 6);
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            SeqLedger.serveEcho(functions, "/fn", seq -> 50 + new Random(seq).nextInt(151));
            Path registry = RunningBridge.write(prefix + "-functions", """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn")));
            Path autoMessages = RunningBridge.write(prefix + "-auto", "autoMessages: {}\n");
            String events_ = prefix + "-events";
            String commands = prefix + "-commands";
            kafka.createTopics(1, events_, commands, prefix + "-dlq", prefix + "-chat");
            Random random = new Random(7);
            for (int seq = 0; seq < events; seq++) {
                String conv = "conv-" + random.nextInt(conversations);
                kafka.send(events_, conv, SeqLedger.event(conv, seq));
            }

            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dkafka.brokers=" + SharedKafka.bootstrapServers(), "-Dcamel.management.port=" + Ports.free(), "-Dcamel.server.port=" + Ports.free(),
                    "-Dbridge.topic.events=" + events_, "-Dbridge.topic.chat-events=" + prefix + "-chat",
                    "-Dbridge.topic.commands=" + commands, "-Dbridge.topic.dead-letter=" + prefix + "-dlq",
                    "-Dbridge.consumer.group=" + prefix + "-bridge",
                    "-Dbridge.functions.file=" + registry, "-Dbridge.auto-messages.file=" + autoMessages,
                    "-Dcamel.main.jmxEnabled=false",
                    BridgeMain.class.getName());
            File log = File.createTempFile(prefix, ".log");
            Process first = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true).redirectOutput(log).start();
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> kafka.readAll(commands).size() >= events / 4);
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            int beforeTheKill = kafka.readAll(commands).size();

            Process second = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir")))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> SeqLedger.tally(kafka.readAll(commands)).distinct() == events);
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }

            SeqLedger.Tally tally = SeqLedger.tally(kafka.readAll(commands));
            System.out.printf("crash: %d events, %d commands written before the SIGKILL, %d lost, %d duplicated, %d duplicates with another commandId%n",
                    events, beforeTheKill, events - tally.distinct(), tally.duplicates(), tally.duplicatesWithAnotherId());
            assertThat(tally.distinct()).as("every event has its outcome").isEqualTo(events);
            assertThat(tally.duplicatesWithAnotherId()).as("a duplicate carries its first copy's commandId").isZero();
            assertThat(kafka.readAll(prefix + "-dlq")).isEmpty();
        }
    }
}
