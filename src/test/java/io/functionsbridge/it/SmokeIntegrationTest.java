package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SmokeIntegrationTest {

    @Test
    void greets() {
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/greet", LocalFunctionServer.Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hello\"}]"));
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
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !kafka.readAll(bridge.commands).isEmpty());
                System.out.println(KafkaRecords.describe(kafka.readAll(bridge.commands)));
            }
        }
    }
}
