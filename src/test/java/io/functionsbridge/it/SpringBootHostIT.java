package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bridge hosted in an existing Camel Spring Boot application (docs/contract.md, "Running it"):
 * {@code src/it/spring-boot-host}, built by the invoker plugin against the plain artifact with its
 * own route ({@code host-greeter}), Spring Boot's Logback and its actuator, is run as its own
 * process from a folder holding the bridge's {@code routes/}, registry files, and an
 * {@code application.properties} to which the bridge's keys were added, as docs/running.md says.
 */
class SpringBootHostIT {

    private static final Path HOST = Path.of("target", "it", "spring-boot-host", "target").toAbsolutePath();

    private final String prefix = "springhost" + System.nanoTime();
    private final HttpClient http = HttpClient.newHttpClient();
    private UserProcess host;

    @Test
    void theHostRunsTheBridgeBesideItsOwnRoute() throws Exception {
        try (KafkaRecords kafka = new KafkaRecords(SharedKafka.bootstrapServers());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/hosted", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hosted by spring boot\"}]"));
            kafka.createTopics(prefix + "-events", prefix + "-chat", prefix + "-survey", prefix + "-transcripts", prefix + "-commands", prefix + "-dlq");
            int port = Ports.free();
            start(port, """
                    functions:
                      - id: spring-hosted
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/hosted")));
            String base = "http://127.0.0.1:" + port;
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .failFast(host::assertRunning).ignoreExceptions()
                    .until(() -> get(base + "/actuator/health").statusCode() == 200);
            assertThat(host.output()).as("Spring Boot's logging, and no second SLF4J provider")
                    .doesNotContain("SLF4J(W): Class path contains multiple SLF4J providers").doesNotContain("log4j");

            // the host's own route
            assertThat(get(base + "/greet").body()).isEqualTo("hello from the host");

            // an event gets its commands, a bad record its dead letter
            kafka.send(prefix + "-events", "spring-1", "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"spring-1\"}}");
            kafka.send(prefix + "-events", "spring-2", "{not json");
            List<KafkaRecords.Received> commands = Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> kafka.readAll(prefix + "-commands"), list -> !list.isEmpty());
            assertThat(commands).singleElement().satisfies(command -> {
                assertThat(command.key()).isEqualTo("spring-1");
                assertThat(command.value()).contains("hosted by spring boot");
            });
            List<KafkaRecords.Received> deadLetters = Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> kafka.readAll(prefix + "-dlq"), list -> !list.isEmpty());
            assertThat(deadLetters).singleElement().satisfies(dead -> assertThat(dead.header("bridgeErrorReason")).isEqualTo("MALFORMED_JSON"));

            // health and metrics: the bridge beside the host, on the host's actuator
            String health = get(base + "/actuator/health").body();
            assertThat(health).contains("ordered-kafka:" + prefix + "-events").contains("functions-bridge").contains("host-greeter");
            String metrics = get(base + "/actuator/prometheus").body();
            assertThat(metrics).contains("functions_bridge_events_total{").contains("topic=\"" + prefix + "-events\"");

            // the gateway's routes answer on the host's HTTP server; without bridge.gateway.tokens, a caller
            // whose address that server does not hand over is not shown to be on this host: refused (fail closed)
            HttpResponse<String> refused = get(base + "/api/account/local/events/controllerbot_messaging_new_conversation/isImplemented?v=1");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            assertThat(refused.body()).contains("\"errorCode\":\"UNAUTHORIZED\"").contains("on this host only");
        }
    }

    @Test
    void aRegistryTheBridgeRefusesStopsTheHostsStartWithOneClearLine() throws Exception {
        start(Ports.free(), """
                functions:
                  - id: lost-function
                    event: controllerbot_messaging_unknown
                    url: http://127.0.0.1:9/a
                    state: deployed
                """);
        assertThat(host.exitStatus(120)).as("the host's start stops").isNotZero();
        assertThat(host.output()).containsOnlyOnce("functions-bridge: not started: function registry")
                .contains("function lost-function names unknown event 'controllerbot_messaging_unknown'");
    }

    /** The host, from a folder holding the bridge's files and the host's properties with the bridge's keys added. */
    private void start(int port, String functionsYaml) throws IOException {
        assertThat(HOST.resolve("classpath.txt")).as("the invoker plugin built src/it/spring-boot-host").exists();
        Path folder = Files.createTempDirectory(prefix);
        Folders.copy(Path.of("routes"), folder.resolve("routes"));
        Files.copy(Path.of("auto-messages.yaml"), folder.resolve("auto-messages.yaml"));
        Files.writeString(folder.resolve("functions.yaml"), functionsYaml);
        List<String> properties = new ArrayList<>();
        properties.add("camel.main.routes-include-pattern = classpath:host/*.camel.yaml,file:routes/*.camel.yaml");
        properties.add("server.port = " + port);
        for (String line : Files.readAllLines(Path.of("application.properties"))) {
            // the bridge's keys: the kafka component's, kafka.*, bridge.*, and camel.health.* to see its checks
            // (the host has its own HTTP server and management: its actuator)
            if (line.startsWith("camel.component.kafka.") || line.startsWith("kafka.") || line.startsWith("bridge.")
                    || line.startsWith("camel.health.")) {
                properties.add(line);
            }
        }
        properties.add("kafka.brokers = " + SharedKafka.bootstrapServers());
        properties.add("bridge.topic.events = " + prefix + "-events");
        properties.add("bridge.topic.chat-events = " + prefix + "-chat");
        properties.add("bridge.topic.survey-events = " + prefix + "-survey");
        properties.add("bridge.topic.transcript-events = " + prefix + "-transcripts");
        properties.add("bridge.topic.commands = " + prefix + "-commands");
        properties.add("bridge.topic.dead-letter = " + prefix + "-dlq");
        properties.add("bridge.consumer.group = " + prefix + "-bridge");
        Files.write(folder.resolve("application.properties"), properties);

        String classpath = HOST.resolve("classes") + java.io.File.pathSeparator + Files.readString(HOST.resolve("classpath.txt")).strip();
        host = UserProcess.java(folder, "host.log", List.of("-cp", classpath, "io.functionsbridge.host.HostApplication"));
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (host != null) {
            host.close();
        }
    }
}
