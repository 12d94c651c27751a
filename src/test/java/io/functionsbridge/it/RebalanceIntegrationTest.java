package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.output.OutcomeLog;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** A second bridge joins the consumer group mid-run and later leaves: nothing lost, each conversation in order. */
class RebalanceIntegrationTest {

    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");
    private static final Pattern TEXT_SEQ = Pattern.compile("seq:(\\d+)");

    @Test
    void aSecondInstanceJoiningAndLeavingLosesNothingAndKeepsOrder() {
        int conversations = 200;
        int perConversation = 4;
        int events = conversations * perConversation;
        String prefix = "reb" + UUID.randomUUID().toString().substring(0, 6);
        String registry;
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.onRequest("/fn", request -> {
                Matcher seq = SEQ.matcher(request.body());
                return Response.ok("[{\"type\":\"systemMessage\",\"text\":\"seq:" + (seq.find() ? seq.group(1) : "?") + "\"}]").after(200);
            });
            registry = """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn"));
            kafka.createTopics(4, prefix + "-events", prefix + "-commands");
            Map<String, String> settings = Map.of("bridge.max-in-flight", "4");
            try (RunningBridge first = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), prefix, registry, "autoMessages: {}\n", settings)) {
                int seq = 0;
                for (int round = 0; round < perConversation; round++) {
                    for (int c = 0; c < conversations; c++) {
                        kafka.send(first.events, "conv-" + c, "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\","
                                + "\"convId\":\"conv-" + c + "\",\"seq\":" + seq++ + "}}");
                    }
                }
                OutcomeLog firstOutcomes = outcomes(first);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> firstOutcomes.getEvents() >= 100);

                Map<String, String> second = new HashMap<>(settings);
                second.put("camel.main.name", "functions-bridge-second");
                long handledBySecond;
                try (RunningBridge joiner = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), prefix, registry, "autoMessages: {}\n", second)) {
                    OutcomeLog secondOutcomes = outcomes(joiner);
                    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> secondOutcomes.getEvents() >= 50);
                    handledBySecond = secondOutcomes.getEvents();
                }

                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> firstOccurrences(kafka.readAllPartitions(first.commands)).size() == events);
                List<KafkaRecords.Received> commands = kafka.readAllPartitions(first.commands);
                Map<Integer, String> seen = firstOccurrences(commands);
                int violations = 0;
                Map<String, Integer> lastSeq = new HashMap<>();
                Set<Integer> counted = new HashSet<>();
                for (KafkaRecords.Received command : commands) {
                    int s = seqOf(command);
                    if (!counted.add(s)) {
                        continue;
                    }
                    Integer last = lastSeq.put(command.key(), s);
                    if (last != null && last > s) {
                        violations++;
                    }
                }
                System.out.printf("rebalance: %d events, %d handled by the instance that joined and left, %d lost, %d duplicated, %d order violations%n",
                        events, handledBySecond, events - seen.size(), commands.size() - seen.size(), violations);
                assertThat(handledBySecond).as("the second instance did take partitions").isPositive();
                assertThat(seen).as("no event lost").hasSize(events);
                assertThat(violations).as("each conversation in order").isZero();
            }
        }
    }

    private static OutcomeLog outcomes(RunningBridge bridge) {
        return bridge.context().getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class);
    }

    private static int seqOf(KafkaRecords.Received command) {
        Matcher m = TEXT_SEQ.matcher(command.value());
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static Map<Integer, String> firstOccurrences(List<KafkaRecords.Received> commands) {
        Map<Integer, String> seen = new HashMap<>();
        for (KafkaRecords.Received command : commands) {
            seen.putIfAbsent(seqOf(command), command.key());
        }
        return seen;
    }
}
