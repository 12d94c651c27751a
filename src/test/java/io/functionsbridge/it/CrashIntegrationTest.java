package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.BridgeMain;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The bridge process is killed with SIGKILL in the middle of a run and started again: every event
 * has its outcome afterwards, and each duplicate carries the commandId of its first copy.
 * {@code -Dreliability.events=20000} runs the full size (5000 by default, to fit CI).
 */
class CrashIntegrationTest {

    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern TEXT_SEQ = Pattern.compile("seq:(\\d+)");
    private static final Pattern COMMAND_ID = Pattern.compile("\"commandId\":\"([^\"]+)\"");

    @Test
    void aKilledBridgeRestartedLosesNothingAndItsDuplicatesKeepTheirCommandIds() throws Exception {
        int events = Integer.getInteger("reliability.events", 5000);
        int conversations = events / 5;
        String prefix = "crash" + UUID.randomUUID().toString().substring(0, 6);
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.onRequest("/fn", request -> {
                Matcher seq = SEQ.matcher(request.body());
                int n = seq.find() ? Integer.parseInt(seq.group(1)) : 0;
                return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + n + "\"}]").after(50 + new Random(n).nextInt(151));
            });
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
                kafka.send(events_, conv, "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"" + conv
                        + "\",\"seq\":" + seq + "}}");
            }

            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dkafka.brokers=" + SharedKafka.bootstrapServers(),
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
                        .until(() -> firstCommandIds(kafka.readAll(commands)).size() == events);
            } finally {
                second.destroy();
                second.waitFor(60, TimeUnit.SECONDS);
            }

            List<KafkaRecords.Received> written = kafka.readAll(commands);
            Map<Integer, String> firstIds = new HashMap<>();
            int duplicates = 0;
            int differentIds = 0;
            for (KafkaRecords.Received record : written) {
                String firstId = firstIds.putIfAbsent(seq(record), commandId(record));
                if (firstId != null) {
                    duplicates++;
                    if (!firstId.equals(commandId(record))) {
                        differentIds++;
                    }
                }
            }
            System.out.printf("crash: %d events, %d commands written before the SIGKILL, %d lost, %d duplicated, %d duplicates with another commandId%n",
                    events, beforeTheKill, events - firstIds.size(), duplicates, differentIds);
            assertThat(firstIds).as("every event has its outcome").hasSize(events);
            assertThat(differentIds).as("a duplicate carries its first copy's commandId").isZero();
            assertThat(kafka.readAll(prefix + "-dlq")).isEmpty();
        }
    }

    private static Map<Integer, String> firstCommandIds(List<KafkaRecords.Received> written) {
        Map<Integer, String> ids = new HashMap<>();
        for (KafkaRecords.Received record : written) {
            ids.putIfAbsent(seq(record), commandId(record));
        }
        return ids;
    }

    private static int seq(KafkaRecords.Received record) {
        Matcher m = TEXT_SEQ.matcher(record.value());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static String commandId(KafkaRecords.Received record) {
        Matcher m = COMMAND_ID.matcher(record.value());
        return m.find() ? m.group(1) : "";
    }
}
