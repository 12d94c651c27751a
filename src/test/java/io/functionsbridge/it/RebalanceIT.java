package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.output.OutcomeLog;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A second bridge joins the consumer group mid-run and later leaves: nothing lost, each
 * conversation in order, and little handled twice.
 */
class RebalanceIT {

    @Test
    void aSecondInstanceJoiningAndLeavingLosesNothingAndKeepsOrder() {
        int conversations = 200;
        int perConversation = 4;
        int events = conversations * perConversation;
        String prefix = "reb" + UUID.randomUUID().toString().substring(0, 6);
        String registry;
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            SeqLedger.serveEcho(functions, "/fn", seq -> 200);
            registry = """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn"));
            kafka.createTopics(4, prefix + "-events", prefix + "-commands");
            int maxInFlight = 4;
            Map<String, String> settings = Map.of("bridge.max-in-flight", String.valueOf(maxInFlight));
            try (RunningBridge first = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), prefix, registry, "autoMessages: {}\n", settings)) {
                int seq = 0;
                for (int round = 0; round < perConversation; round++) {
                    for (int c = 0; c < conversations; c++) {
                        kafka.send(first.events, "conv-" + c, SeqLedger.event("conv-" + c, seq++));
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
                        .until(() -> SeqLedger.tally(kafka.readAllPartitions(first.commands)).distinct() == events);
                SeqLedger.Tally tally = SeqLedger.tally(kafka.readAllPartitions(first.commands));
                System.out.printf("rebalance: %d events, %d handled by the instance that joined and left, %d lost, %d duplicated, %d order violations%n",
                        events, handledBySecond, events - tally.distinct(), tally.duplicates(), tally.orderViolations());
                assertThat(handledBySecond).as("the second instance did take partitions").isPositive();
                assertThat(tally.distinct()).as("no event lost").isEqualTo(events);
                assertThat(tally.orderViolations()).as("each conversation in order").isZero();
                // a partition changes hands twice (join, leave); its commit on the way out says which
                // records above its offset are finished, and the new owner skips them
                assertThat(tally.duplicates()).as("handled again: at most the records running at each handover")
                        .isLessThanOrEqualTo(2 * maxInFlight);
            }
        }
    }

    private static OutcomeLog outcomes(RunningBridge bridge) {
        return bridge.context().getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class);
    }
}
