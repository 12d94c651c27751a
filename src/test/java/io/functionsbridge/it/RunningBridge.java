package io.functionsbridge.it;

import io.functionsbridge.BridgeApplication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.awaitility.Awaitility;

/**
 * The shipped bridge ({@code application.properties} and {@code routes/} of the project root) run
 * against the test broker, with its own topics, consumer group and registry files.
 */
final class RunningBridge implements AutoCloseable {

    final String events;
    final String chatEvents;
    final String surveyEvents;
    final String transcriptEvents;
    final String commands;
    final String deadLetters;
    final String group;
    private final Main main;

    private RunningBridge(String prefix, Main main) {
        this.events = prefix + "-events";
        this.chatEvents = prefix + "-chat";
        this.surveyEvents = prefix + "-survey";
        this.transcriptEvents = prefix + "-transcripts";
        this.commands = prefix + "-commands";
        this.deadLetters = prefix + "-dlq";
        this.group = prefix + "-bridge";
        this.main = main;
    }

    /** Starts a bridge with that registry and automatic messages (YAML text) and extra properties. */
    static RunningBridge start(KafkaRecords kafka, String functionsYaml, String autoMessagesYaml, Map<String, String> extra) {
        return start(kafka, SharedKafka.bootstrapServers(), functionsYaml, autoMessagesYaml, extra);
    }

    /** Likewise, against another broker than the shared one. */
    static RunningBridge start(KafkaRecords kafka, String bootstrap, String functionsYaml, String autoMessagesYaml, Map<String, String> extra) {
        return start(kafka, bootstrap, "t" + UUID.randomUUID().toString().substring(0, 8), functionsYaml, autoMessagesYaml, extra);
    }

    /** A bridge on the topics and group named by the prefix: a second one with the same prefix joins the first's group. */
    static RunningBridge start(KafkaRecords kafka, String bootstrap, String prefix, String functionsYaml, String autoMessagesYaml,
                               Map<String, String> extra) {
        return start(kafka, bootstrap, prefix, functionsYaml, autoMessagesYaml, extra, Map.of());
    }

    /** Likewise, with beans bound in its registry before it starts (a host's own, such as a tracer). */
    static RunningBridge start(KafkaRecords kafka, String bootstrap, String prefix, String functionsYaml, String autoMessagesYaml,
                               Map<String, String> extra, Map<String, Object> beans) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("kafka.brokers", bootstrap);
        overrides.put("bridge.functions.file", write(prefix + "-functions", functionsYaml).toString());
        overrides.put("bridge.auto-messages.file", write(prefix + "-auto-messages", autoMessagesYaml).toString());
        overrides.put("bridge.invoke.backoff-ms", "20");
        // each bridge its own management server (health, metrics)
        overrides.put("camel.management.port", String.valueOf(Ports.free()));
        // and its own gateway
        overrides.put("camel.server.port", String.valueOf(Ports.free()));
        overrides.putAll(extra);
        Main main = BridgeApplication.create(overrides);
        beans.forEach(main::bind);
        RunningBridge bridge = new RunningBridge(prefix, main);
        overrides.putIfAbsent("bridge.topic.events", bridge.events);
        overrides.putIfAbsent("bridge.topic.chat-events", bridge.chatEvents);
        overrides.putIfAbsent("bridge.topic.survey-events", bridge.surveyEvents);
        overrides.putIfAbsent("bridge.topic.transcript-events", bridge.transcriptEvents);
        overrides.putIfAbsent("bridge.topic.commands", bridge.commands);
        overrides.putIfAbsent("bridge.topic.dead-letter", bridge.deadLetters);
        overrides.putIfAbsent("bridge.consumer.group", bridge.group);
        main.setOverrideProperties(toProperties(overrides));
        kafka.createTopics(bridge.events, bridge.chatEvents, bridge.surveyEvents, bridge.transcriptEvents, bridge.commands, bridge.deadLetters);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("the bridge did not start", e);
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> main.getCamelContext() != null && main.getCamelContext().isStarted());
        return bridge;
    }

    /** The management server's base url: http://127.0.0.1:port. */
    String managementUrl() {
        return "http://127.0.0.1:" + context().resolvePropertyPlaceholders("{{camel.management.port}}");
    }

    /** The gateway's base url: http://127.0.0.1:port. */
    String gatewayUrl() {
        return "http://127.0.0.1:" + context().resolvePropertyPlaceholders("{{camel.server.port}}");
    }

    CamelContext context() {
        return main.getCamelContext();
    }

    private static java.util.Properties toProperties(Map<String, String> values) {
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(values);
        return properties;
    }

    static Path write(String name, String text) {
        try {
            Path file = Files.createTempFile(name, ".yaml");
            Files.writeString(file, text);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            main.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the bridge did not stop", e);
        }
    }
}
