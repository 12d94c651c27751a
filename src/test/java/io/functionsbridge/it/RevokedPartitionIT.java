package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CONTRACT §16, "a partition's records are worked on by its owner only": two members share the
 * input's partitions; the commands topic becomes unwritable (it asks for more in-sync replicas than
 * the one broker has; a write fails after 4 s), a third member joins, taking partitions from the two
 * while they hold records they cannot write, and one of the two is stopped; 35 s later (past the
 * 30 s a revocation waits for what runs) the topic is writable again. Nothing is lost, no command is
 * written twice, each conversation's commands are in order, and the function never has two calls of
 * one conversation at once: a former owner neither tries a record of a partition it lost again nor
 * writes it (its writes and the new owner's would both land). In both delivery modes.
 */
class RevokedPartitionIT {

    private static final Pattern CONVERSATION = Pattern.compile("\"convId\":\"([^\"]+)\"");
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    @ParameterizedTest
    @ValueSource(strings = {"at-least-once", "exactly-once"})
    void aStoppedMembersUnwritableRecordsAreNeitherWrittenLaterNorTriedAgain(String delivery) throws Exception {
        int conversations = 60;
        int perConversation = 5;
        int events = conversations * perConversation;
        String prefix = "rev" + UUID.randomUUID().toString().substring(0, 6);
        Map<String, AtomicInteger> callsNow = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers()))) {
            functions.onRequest("/fn", request -> {
                Matcher conversation = CONVERSATION.matcher(request.body());
                Matcher seq = SEQ.matcher(request.body());
                String conv = conversation.find() ? conversation.group(1) : "?";
                if (callsNow.computeIfAbsent(conv, c -> new AtomicInteger()).incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    callsNow.get(conv).decrementAndGet();
                }
                return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + (seq.find() ? seq.group(1) : "-1") + "\"}]");
            });
            String registry = """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn"));
            kafka.createTopics(4, prefix + "-events", prefix + "-commands");
            // a write that cannot be made fails after 4 s (its event is then tried again, by the partition's owner only)
            Map<String, String> settings = Map.of("bridge.max-in-flight", "8", "bridge.delivery", delivery,
                    "camel.component.kafka.deliveryTimeoutMs", "4000", "camel.component.kafka.requestTimeoutMs", "2000");
            try (RunningBridge stays = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), prefix, registry, "autoMessages: {}\n", settings)) {
                RunningBridge stopped = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), prefix, registry, "autoMessages: {}\n",
                        named(settings, "functions-bridge-second"));
                int seq = 0;
                for (int round = 0; round < perConversation; round++) {
                    for (int c = 0; c < conversations; c++) {
                        kafka.send(stays.events, "conv-" + c, SeqLedger.event("conv-" + c, seq++));
                    }
                }
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> commands(kafka, stays.commands, delivery).size() >= 40);

                minInsyncReplicas(admin, stays.commands, "2");
                long unwritableAt = System.nanoTime();
                RunningBridge joins = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), prefix, registry, "autoMessages: {}\n",
                        named(settings, "functions-bridge-third"));
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(stopped::close);
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ofSeconds(1))
                        .until(() -> System.nanoTime() - unwritableAt >= TimeUnit.SECONDS.toNanos(35));
                minInsyncReplicas(admin, stays.commands, "1");
                stopping.get(120, TimeUnit.SECONDS);

                Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> SeqLedger.tally(commands(kafka, stays.commands, delivery)).distinct() == events);
                SeqLedger.Tally tally = SeqLedger.tally(commands(kafka, stays.commands, delivery));
                System.out.printf("revoked partitions (%s): %d events, %d lost, %d duplicated, %d out of order, %d calls of one conversation at once%n",
                        delivery, events, events - tally.distinct(), tally.duplicates(), tally.orderViolations(), overlaps.get());
                assertThat(tally.distinct()).as("no event lost").isEqualTo(events);
                assertThat(tally.orderViolations()).as("each conversation's commands in order").isZero();
                assertThat(overlaps.get()).as("calls of one conversation at once at the function").isZero();
                assertThat(tally.duplicates()).as("commands written by a former owner and by the new one").isZero();
                if ("exactly-once".equals(delivery)) {
                    Management management = new Management(stays.managementUrl());
                    assertThat(management.metric("functions_bridge_transactions_total", "topic", stays.events, "result", "committed"))
                            .as("transactions committed").isPositive();
                }
                joins.close();
            }
        }
    }

    private static Map<String, String> named(Map<String, String> settings, String name) {
        Map<String, String> named = new java.util.HashMap<>(settings);
        named.put("camel.main.name", name);
        return named;
    }

    private static List<KafkaRecords.Received> commands(KafkaRecords kafka, String topic, String delivery) {
        return "exactly-once".equals(delivery) ? kafka.readCommittedPartitions(topic) : kafka.readAllPartitions(topic);
    }

    private static void minInsyncReplicas(Admin admin, String topic, String replicas) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("min.insync.replicas", replicas),
                AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }
}
