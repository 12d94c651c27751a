package io.functionsbridge.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.output.OutcomeLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Base of the integration tests: the shipped routes run against the in-JVM broker and a real local
 * HTTP server standing in for the functions. Each test class gets its own bridge, topics and group.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractBridgeIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration PATIENCE = Duration.ofSeconds(60);

    KafkaRecords kafka;
    LocalFunctionServer functions;
    RunningBridge bridge;

    /** The registry YAML; {@code %URL%} stands for the local function server's base url (in {@link #properties()} too). */
    abstract String functionsYaml();

    String autoMessagesYaml() {
        return "autoMessages: {}\n";
    }

    /** Behaviours of the local functions, set before the bridge starts. */
    void serveFunctions(LocalFunctionServer server) {
    }

    Map<String, String> properties() {
        return Map.of();
    }

    /** Beans bound in the bridge's registry before it starts. */
    Map<String, Object> beans() {
        return Map.of();
    }

    @BeforeAll
    void startBridge() {
        kafka = new KafkaRecords(SharedKafka.bootstrapServers());
        functions = LocalFunctionServer.start(0);
        serveFunctions(functions);
        String registry = functionsYaml().replace("%URL%", "http://127.0.0.1:" + functions.port())
                .replace("%PORT%", String.valueOf(functions.port()));
        Map<String, String> properties = new HashMap<>();
        properties().forEach((key, value) -> properties.put(key, value.replace("%URL%", "http://127.0.0.1:" + functions.port())));
        bridge = RunningBridge.start(kafka, SharedKafka.bootstrapServers(), "t" + UUID.randomUUID().toString().substring(0, 8), registry,
                autoMessagesYaml(), properties, beans());
    }

    @AfterAll
    void stopBridge() {
        if (bridge != null) {
            bridge.close();
        }
        functions.close();
        kafka.close();
    }

    static String event(String cbotEventType, String convId) {
        return "{\"general\":{\"cbotEventType\":\"" + cbotEventType + "\",\"convId\":\"" + convId + "\",\"type\":\"UPSERT\"}}";
    }

    long sendEvent(String cbotEventType, String convId) {
        return kafka.send(bridge.events, convId, event(cbotEventType, convId));
    }

    OutcomeLog outcomes() {
        return Objects.requireNonNull(bridge.context().getRegistry().lookupByNameAndType("outcomeLog", OutcomeLog.class));
    }

    /** Runs the sending, then waits until that many more events have their outcome written. */
    void handled(int events, Runnable send) {
        long before = outcomes().getEvents();
        send.run();
        Awaitility.await().atMost(PATIENCE).until(() -> outcomes().getEvents() >= before + events);
    }

    /** Waits until the supplier's list is non-empty, and returns it. */
    static <T> List<T> awaitNonEmpty(Supplier<List<T>> supplier) {
        return Awaitility.await().atMost(PATIENCE).until(supplier::get, list -> !list.isEmpty());
    }

    List<KafkaRecords.Received> commandsOf(String convId) {
        return kafka.readAll(bridge.commands).stream().filter(r -> convId.equals(r.key())).toList();
    }

    List<JsonNode> commandValuesOf(String convId) {
        return commandsOf(convId).stream().map(r -> json(r.value())).toList();
    }

    List<KafkaRecords.Received> deadLettersOf(String key) {
        return kafka.readAll(bridge.deadLetters).stream().filter(r -> Objects.equals(key, r.key())).toList();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
