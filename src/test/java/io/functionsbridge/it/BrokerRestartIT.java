package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import io.functionsbridge.output.OutcomeLog;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The broker is stopped for 10 s mid-run and started again: the bridge reconnects by itself and loses nothing. */
class BrokerRestartIT {

    @Test
    void aTenSecondBrokerOutageLosesNoEventAndKeepsEachConversationsOrder() {
        int conversations = 200;
        int perConversation = 3;
        int events = conversations * perConversation;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             KafkaRecords kafka = new KafkaRecords(broker.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            SeqLedger.serveEcho(functions, "/fn", seq -> 200);
            String registry = """
                    functions:
                      - id: fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/fn"));
            try (RunningBridge bridge = RunningBridge.start(kafka, broker.bootstrapServers(), registry, "autoMessages: {}\n",
                    Map.of("bridge.max-in-flight", "10"))) {
                int seq = 0;
                for (int round = 0; round < perConversation; round++) {
                    for (int c = 0; c < conversations; c++) {
                        kafka.send(bridge.events, "conv-" + c, SeqLedger.event("conv-" + c, seq++));
                    }
                }
                OutcomeLog outcomes = bridge.context().getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.getEvents() >= 60);

                long handledBeforeTheStop = outcomes.getEvents();
                broker.stop();
                Awaitility.await().pollDelay(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(11)).until(() -> true);
                broker.restart();

                Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> SeqLedger.tally(kafka.readAll(bridge.commands)).distinct() == events);
                SeqLedger.Tally tally = SeqLedger.tally(kafka.readAll(bridge.commands));
                System.out.printf("broker outage: %d events, %d handled before the stop, %d lost, %d duplicated, %d order violations%n",
                        events, handledBeforeTheStop, events - tally.distinct(), tally.duplicates(), tally.orderViolations());
                assertThat(tally.distinct()).as("no event lost").isEqualTo(events);
                assertThat(tally.orderViolations()).as("each conversation in order").isZero();
                assertThat(kafka.readAll(bridge.deadLetters)).as("an outage is no reason to dead-letter").isEmpty();
            }
        }
    }
}
