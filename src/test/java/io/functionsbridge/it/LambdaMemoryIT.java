package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.javascript.ProcessMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * CONTRACT §19's memory bound, on the shipped jar: a lambda that keeps 8 MB more on every run, run
 * 1,000 times, leaves the bridge alive and every other function's events handled, and the memory of
 * the bridge's process with the Node.js process it started (their resident sets, sampled through the
 * run) within the bridge's -Xmx, plus bridge.javascript.max-memory-mb for the lambda's instance, plus
 * the fixed overhead docs/javascript.md states. The same lambda in the bridge's own heap took it all.
 */
class LambdaMemoryIT {

    private static final Path JAR = Path.of("target", "functions-bridge.jar").toAbsolutePath();
    private static final int HEAP_MB = 256;
    private static final int CAP_MB = 64;
    /** docs/javascript.md: the JVM's memory beyond its heap, and Node.js's own beside its instances. */
    private static final long FIXED_OVERHEAD_MB = 384;

    @Test
    void aLeakingLambdaRunAThousandTimesKeepsTheBridgeWithinItsBound() throws Exception {
        String prefix = "leak" + System.nanoTime();
        String events = prefix + "-events";
        String commands = prefix + "-commands";
        String deadLetters = prefix + "-dlq";
        KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
        kafka.createTopics(events, commands, deadLetters);
        LocalFunctionServer functions = LocalFunctionServer.start(0);
        functions.on("/greet", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"welcome\"}]"));

        Path folder = Files.createTempDirectory(prefix);
        Files.copy(Path.of("application.properties"), folder.resolve("application.properties"));
        Folders.copy(Path.of("routes"), folder.resolve("routes"));
        Files.writeString(folder.resolve("auto-messages.yaml"), "autoMessages: {}\n");
        Files.createDirectories(folder.resolve("functions/leak"));
        Files.writeString(folder.resolve("functions/leak/index.js"), """
                const kept = [];
                async function lambda(input) {
                  kept.push(new Array(1e6).fill(0.5));
                  return [{ type: 'systemMessage', text: 'kept ' + kept.length }];
                }
                """);
        Files.writeString(folder.resolve("functions.yaml"), """
                functions:
                  - id: greet
                    event: controllerbot_messaging_new_conversation
                    url: %s
                    state: deployed
                  - id: leak
                    event: controllerbot_messaging_conversation_end
                    state: deployed
                    runtime: javascript
                    source: functions/leak
                    timeoutMs: 30000
                """.formatted(functions.url("/greet")));
        int management = Ports.free();
        UserProcess bridge = UserProcess.java(folder, "bridge.log", List.of("-Xmx" + HEAP_MB + "m", "-Dkafka.brokers=" + SharedKafka.bootstrapServers(),
                "-Dbridge.topic.events=" + events, "-Dbridge.topic.commands=" + commands, "-Dbridge.topic.dead-letter=" + deadLetters,
                "-Dbridge.consumer.group=" + prefix, "-Dcamel.management.port=" + management, "-Dcamel.server.port=" + Ports.free(),
                // each run of the lambda computes for 50-150 ms (a million-element array filled): at most 32 at once, so
                // that none waits past its timeout on a busy machine
                "-Dbridge.javascript.max-memory-mb=" + CAP_MB, "-Dbridge.invoke.backoff-ms=10", "-Dbridge.max-in-flight=32", "-jar",
                JAR.toString()));
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        AtomicLong largestKb = new AtomicLong();
        try {
            Management health = new Management("http://127.0.0.1:" + management);
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).failFast(bridge::assertRunning)
                    .ignoreExceptions().until(() -> health.get("/observe/health/ready").status() == 200);
            sampler.scheduleAtFixedRate(() -> largestKb.accumulateAndGet(ProcessMemory.treeRssKb(bridge.pid()), Math::max), 0, 100,
                    TimeUnit.MILLISECONDS);

            for (int i = 0; i < 1000; i++) {
                kafka.send(events, "leak-" + i, "{\"general\":{\"cbotEventType\":\"CONSUMER_END_CONVERSATION\",\"convId\":\"leak-" + i + "\"}}");
                if (i % 5 == 0) {
                    kafka.send(events, "greet-" + i, "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"greet-"
                            + i + "\"}}");
                }
            }
            Set<String> leaking = IntStream.range(0, 1000).mapToObj(i -> "leak-" + i).collect(Collectors.toSet());
            Set<String> greeted = IntStream.range(0, 1000).filter(i -> i % 5 == 0).mapToObj(i -> "greet-" + i).collect(Collectors.toSet());
            Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).failFast(bridge::assertRunning).until(() -> {
                Set<String> ended = kafka.readAll(commands).stream().map(KafkaRecords.Received::key).collect(Collectors.toSet());
                kafka.readAll(deadLetters).forEach(record -> ended.add(record.key()));
                return ended.containsAll(leaking) && ended.containsAll(greeted);
            });
            List<KafkaRecords.Received> written = kafka.readAll(commands);
            assertThat(written.stream().filter(record -> greeted.contains(record.key())).map(KafkaRecords.Received::value))
                    .as("every other function's events").hasSize(greeted.size()).allMatch(value -> value.contains("welcome"));
            assertThat(written.stream().filter(record -> leaking.contains(record.key())).count())
                    .as("the leaking lambda's events with their commands (its instance is replaced before it runs out)").isGreaterThan(950);
            assertThat(health.get("/observe/health/ready").status()).as("the bridge, after it all").isEqualTo(200);
            assertThat(bridge.output()).as("the bridge's own heap").doesNotContain("Java heap space").doesNotContain("OutOfMemoryError");
        } finally {
            sampler.shutdownNow();
            bridge.close();
            functions.close();
            kafka.close();
        }
        long bound = HEAP_MB + CAP_MB + FIXED_OVERHEAD_MB;
        System.out.printf("LambdaMemoryIT: largest resident set of the bridge and its Node.js: %d MB (bound %d MB)%n", largestKb.get() / 1024,
                bound);
        assertThat(largestKb.get() / 1024).as("MB, the bridge's process tree").isGreaterThan(HEAP_MB / 2).isLessThan(bound);
    }
}
