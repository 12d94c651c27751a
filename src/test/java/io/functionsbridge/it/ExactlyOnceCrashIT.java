package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * CONTRACT §20 on the shipped jar: with {@code bridge.delivery=exactly-once}, the bridge is killed
 * with SIGKILL twice in the middle of a run (at about 30% and 70% of the commands out) and started
 * again each time under the same instance id. A {@code read_committed} reader of the commands then
 * sees every event's command exactly once, each conversation's in order; a {@code read_uncommitted}
 * reader sees what the kills aborted (a command written twice), so the test can see a duplicate
 * when there is one.
 */
class ExactlyOnceCrashIT {

    private static final Path JAR = Path.of("target", "functions-bridge.jar").toAbsolutePath();

    @Test
    void killedTwiceAndRestartedEachEventsCommandIsReadOnceInOrder() throws Exception {
        int events = Integer.getInteger("reliability.events", 3000);
        String prefix = "eo" + UUID.randomUUID().toString().substring(0, 6);
        String input = prefix + "-events";
        String commands = prefix + "-commands";
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            SeqLedger.serveEcho(functions, "/fn", seq -> 10 + new Random(seq).nextInt(31));
            kafka.createTopics(1, input, commands, prefix + "-dlq", prefix + "-chat");
            kafka.sendAll(input, zipfEvents(events, events / 3));
            Path folder = Files.createTempDirectory(prefix);
            Files.copy(Path.of("application.properties"), folder.resolve("application.properties"));
            Folders.copy(Path.of("routes"), folder.resolve("routes"));
            Files.writeString(folder.resolve("auto-messages.yaml"), "autoMessages: {}\n");
            Files.writeString(folder.resolve("functions.yaml"), """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn")));
            List<String> arguments = List.of("-Dkafka.brokers=" + SharedKafka.bootstrapServers(), "-Dbridge.delivery=exactly-once",
                    "-Dbridge.topic.events=" + input, "-Dbridge.topic.chat-events=" + prefix + "-chat", "-Dbridge.topic.commands=" + commands,
                    "-Dbridge.topic.dead-letter=" + prefix + "-dlq", "-Dbridge.consumer.group=" + prefix, "-Dbridge.consumer.instance-id=eo-1",
                    "-Dcamel.management.port=" + Ports.free(), "-Dcamel.server.port=" + Ports.free(), "-Dcamel.main.jmxEnabled=false",
                    "-jar", JAR.toString());

            for (int percent : List.of(30, 70)) {
                UserProcess bridge = UserProcess.java(folder, "bridge-" + percent + ".log", arguments);
                Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200)).failFast(bridge::assertRunning)
                        .until(() -> SeqLedger.tally(kafka.readCommitted(commands)).distinct() >= events * percent / 100);
                bridge.kill();
            }
            UserProcess last = UserProcess.java(folder, "bridge-last.log", arguments);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).failFast(last::assertRunning)
                        .until(() -> SeqLedger.tally(kafka.readCommitted(commands)).distinct() >= events);
            } finally {
                last.close();
            }

            SeqLedger.Tally committed = SeqLedger.tally(kafka.readCommitted(commands));
            SeqLedger.Tally everything = SeqLedger.tally(kafka.readAll(commands));
            System.out.printf("exactly-once crash: %d events; read_committed: %d distinct, %d duplicated, %d out of order; "
                    + "read_uncommitted: %d duplicated (aborted work)%n", events, committed.distinct(), committed.duplicates(),
                    committed.orderViolations(), everything.duplicates());
            assertThat(committed.distinct()).as("every event's command").isEqualTo(events);
            assertThat(committed.duplicates()).as("commands read twice by a read_committed reader").isZero();
            assertThat(committed.orderViolations()).as("a conversation's commands out of order").isZero();
            assertThat(kafka.readCommitted(prefix + "-dlq")).isEmpty();
            assertThat(everything.duplicates()).as("what the kills aborted, which a read_uncommitted reader sees").isPositive();
        }
    }

    /** The events in order, each of a conversation drawn by Zipf's law (a few busy ones, many quiet). */
    private static List<Map.Entry<String, String>> zipfEvents(int events, int conversations) {
        double[] cumulative = new double[conversations];
        double sum = 0;
        for (int k = 0; k < conversations; k++) {
            sum += 1.0 / (k + 1);
            cumulative[k] = sum;
        }
        Random random = new Random(11);
        List<Map.Entry<String, String>> records = new ArrayList<>(events);
        for (int seq = 0; seq < events; seq++) {
            int index = java.util.Arrays.binarySearch(cumulative, random.nextDouble() * sum);
            String conv = "conv-" + (index >= 0 ? index : -index - 1);
            records.add(Map.entry(conv, SeqLedger.event(conv, seq)));
        }
        return records;
    }
}
