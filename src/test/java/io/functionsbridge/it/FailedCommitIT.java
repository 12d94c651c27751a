package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.kafka.EmbeddedKafkaBroker;
import io.functionsbridge.output.OutcomeLog;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * CONTRACT §16, "a commit that fails is made again": the broker stops while the bridge finishes
 * events it read before (their function answers nothing to write, so they finish without Kafka), so
 * the commits of that progress fail; once the broker is back, the next periodic commit makes them
 * again, and the group's offset covers every event, without a new event to move it.
 */
class FailedCommitIT {

    @Test
    void commitsThatFailedWhileTheBrokerWasDownAreMadeOnceItIsBack() {
        int events = 40;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
             KafkaRecords kafka = new KafkaRecords(broker.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            // nothing to write: an event finishes with its function's answer, broker or not
            functions.on("/quiet", Response.ok("[]").after(100));
            String registry = """
                    functions:
                      - id: quiet
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/quiet"));
            try (RunningBridge bridge = RunningBridge.start(kafka, broker.bootstrapServers(), registry, "autoMessages: {}\n",
                    Map.of("bridge.max-in-flight", "1"))) {
                for (int i = 0; i < events; i++) {
                    kafka.send(bridge.events, "conv-" + i, SeqLedger.event("conv-" + i, i));
                }
                OutcomeLog outcomes = bridge.context().getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class);
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.getEvents() >= 3);

                broker.stop();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.getEvents() >= events);
                broker.restart();

                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> assertThat(kafka.committed(bridge.group, bridge.events))
                                .as("the group's offset, with no new event to move it").isEqualTo(events));
            }
        }
    }
}
