package io.functionsbridge.it;

import io.functionsbridge.demo.LocalFunctionServer;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SmokeIntegrationTest {

    @Test
    void retries() {
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/greet", LocalFunctionServer.Response.status(503));
            String registry = """
                    functions:
                      - id: f1
                        name: greet
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/greet"));
            try (RunningBridge bridge = RunningBridge.start(kafka, registry, "autoMessages: {}", Map.of())) {
                kafka.send(bridge.events, "c1", "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"c1\"}}");
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> !kafka.readAll(bridge.deadLetters).isEmpty());
                System.out.println(KafkaRecords.describe(kafka.readAll(bridge.deadLetters)));
                System.out.println("CALLS " + functions.calls("/greet"));
            } finally {
                System.out.println("CALLS " + functions.calls("/greet"));
            }
        }
    }
}
