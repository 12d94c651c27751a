package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What ships (docs/contract.md, "Running it"): {@code java -jar target/functions-bridge.jar} as a
 * separate process, started as a user starts it, from a folder holding copies of
 * {@code application.properties}, {@code routes/}, {@code functions.yaml} and
 * {@code auto-messages.yaml}, against the test broker and a local function server. Nothing of Maven's
 * test classpath reaches it: whatever the jar lacks, this test fails. It runs with OpenTelemetry on
 * (set as a user sets it: {@code camel.opentelemetry2.enabled} and {@code otel.*}), exporting its
 * spans over OTLP to a local collector, so that the SDK and its exporter are proven in the jar too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedBridgeIT {

    private static final Path JAR = Path.of("target", "functions-bridge.jar").toAbsolutePath();
    private static final String LAMBDA = "0b5e2a3c-1d4f-4e6a-9b7c-8d9e0f1a2b3c";
    private static final String JS_LAMBDA = "0b5e2a3c-1d4f-4e6a-9b7c-8d9e0f1a2b3d";

    private final String prefix = "packaged" + System.nanoTime();
    private final String events = prefix + "-events";
    private final String chat = prefix + "-chat";
    private final String surveys = prefix + "-survey";
    private final String transcripts = prefix + "-transcripts";
    private final String commands = prefix + "-commands";
    private final String deadLetters = prefix + "-dlq";
    private final int managementPort = Ports.free();
    private final int gatewayPort = Ports.free();

    private KafkaRecords kafka;
    private LocalFunctionServer functions;
    private Path folder;
    private UserProcess bridge;
    private HttpServer collector;
    private final List<byte[]> exported = new CopyOnWriteArrayList<>();

    @BeforeAll
    void startTheJarAsAUserDoes() throws IOException {
        assertThat(JAR).as("mvn package leaves the runnable jar").exists();
        kafka = new KafkaRecords(SharedKafka.bootstrapServers());
        kafka.createTopics(events, chat, surveys, transcripts, commands, deadLetters);
        functions = LocalFunctionServer.start(0);
        functions.on("/greet", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hello from the jar\"}]"));
        functions.on("/chat", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"read, not executed\"}]"));
        functions.on("/survey", Response.ok("[{\"type\":\"systemMessage\",\"text\":\"thanks\"}]"));
        functions.on("/transcript", Response.ok("[{\"targetEmail\":\"lead@example.com\",\"subject\":\"Your chat\"}]"));
        functions.on("/answer", Response.ok("42"));

        folder = Files.createTempDirectory(prefix);
        Files.copy(Path.of("application.properties"), folder.resolve("application.properties"));
        Files.copy(Path.of("auto-messages.yaml"), folder.resolve("auto-messages.yaml"));
        Folders.copy(Path.of("routes"), folder.resolve("routes"));
        // a JavaScript lambda, run by the jar itself (in the Node.js process it starts)
        Files.createDirectories(folder.resolve("functions/answer-js"));
        Files.writeString(folder.resolve("functions/answer-js/index.js"),
                "async function lambda(input) { return { answer: 'from JavaScript', asked: input.payload.question }; }");
        Files.writeString(folder.resolve("functions.yaml"), """
                functions:
                  - id: %3$s
                    name: answer-js
                    state: deployed
                    runtime: javascript
                    source: functions/answer-js
                  - id: packaged-greeter
                    event: controllerbot_messaging_new_conversation
                    url: %1$s/greet
                    state: deployed
                  - id: packaged-chat
                    event: chat_start
                    url: %1$s/chat
                    state: deployed
                  - id: packaged-survey
                    event: surveybot_messaging_survey_started
                    url: %1$s/survey
                    state: deployed
                  - id: packaged-transcript
                    event: denver_post_survey_email_transcript
                    url: %1$s/transcript
                    state: deployed
                  - id: %2$s
                    event: conversational_command
                    url: %1$s/answer
                    state: deployed
                """.formatted(functions.url("").replaceAll("/$", ""), LAMBDA, JS_LAMBDA));
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            exported.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        bridge = java("bridge.log", "-Dcamel.management.port=" + managementPort, "-Dcamel.server.port=" + gatewayPort,
                "-Dcamel.opentelemetry2.enabled=true", "-Dotel.exporter.otlp.protocol=http/protobuf",
                "-Dotel.exporter.otlp.endpoint=http://127.0.0.1:" + collector.getAddress().getPort(), "-Dotel.bsp.schedule.delay=100",
                "-jar", JAR.toString());
    }

    /** {@code java [options] ...} run in the folder, with the test's broker and topics. */
    private UserProcess java(String outputName, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("-Dkafka.brokers=" + SharedKafka.bootstrapServers(),
                "-Dbridge.topic.events=" + events, "-Dbridge.topic.chat-events=" + chat,
                "-Dbridge.topic.survey-events=" + surveys, "-Dbridge.topic.transcript-events=" + transcripts,
                "-Dbridge.topic.commands=" + commands, "-Dbridge.topic.dead-letter=" + deadLetters,
                "-Dbridge.consumer.group=" + prefix + "-bridge"));
        command.addAll(List.of(arguments));
        return UserProcess.java(folder, outputName, command);
    }

    @Test
    @Order(1)
    void becomesReady() {
        Management management = new Management("http://127.0.0.1:" + managementPort);
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast(bridge::assertRunning).ignoreExceptions()
                .until(() -> management.get("/observe/health/ready").status() == 200);
    }

    @Test
    @Order(2)
    void handlesAnEventOfEverySource() {
        kafka.send(events, "conv-jar-1", "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"conv-jar-1\"}}");
        kafka.send(chat, "chat-jar-1", "{\"chatSessionKey\":\"chat-jar-1\"}", Map.of("eventId", "chat_start"));
        kafka.send(surveys, "conv-jar-2", "{\"conversationId\":\"conv-jar-2\",\"surveyId\":\"s-1\",\"skillId\":\"7\",\"dialogs\":[]}",
                Map.of("eventId", "surveybot_messaging_survey_started"));
        kafka.send(transcripts, "chat-jar-3", "{\"csatRank\":2,\"skillName\":\"billing\"}", Map.of("eventId", "denver_post_survey_email_transcript"));

        List<KafkaRecords.Received> written = Awaitility.await().atMost(Duration.ofSeconds(60))
                .failFast(bridge::assertRunning)
                .until(() -> kafka.readAll(commands), list -> list.size() >= 2);
        assertThat(written).filteredOn(record -> "conv-jar-1".equals(record.key())).singleElement()
                .satisfies(record -> assertThat(record.value()).contains("\"type\":\"systemMessage\"").contains("hello from the jar"));
        assertThat(written).filteredOn(record -> "chat-jar-3".equals(record.key())).singleElement()
                .satisfies(record -> assertThat(record.value()).contains("\"type\":\"sendTranscript\"").contains("lead@example.com"));
        // the chat and survey replies are read, not executed: their functions were called, and their outcome lines say so
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> functions.calls("/chat") == 1 && functions.calls("/survey") == 1);
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(bridge.output())
                .contains("chat-jar-1 chat_start -> packaged-chat").contains("conv-jar-2 surveybot_messaging_survey_started -> packaged-survey"));
        assertThat(written).as("no command from the chat or the survey reply").noneMatch(record -> "chat-jar-1".equals(record.key())
                || "conv-jar-2".equals(record.key()));
    }

    @Test
    @Order(3)
    void exportsTheSpansOfItsEvents() {
        // OTLP's protobuf keeps span names and attribute values as UTF-8 bytes; an event's spans may
        // come in more than one export
        Awaitility.await().atMost(Duration.ofSeconds(30)).failFast(bridge::assertRunning).untilAsserted(() -> assertThat(exported
                .stream().map(body -> new String(body, StandardCharsets.ISO_8859_1)).collect(Collectors.joining()))
                .contains("consume-conversation-events", "call-function", "packaged-greeter", "consume-chat-events"));
    }

    @Test
    @Order(4)
    void answersAGatewayCall() {
        GatewayClient gateway = new GatewayClient("http://127.0.0.1:" + gatewayPort);
        GatewayClient.Answer answer = gateway.post("/api/account/local/lambdas/" + LAMBDA + "/invoke?v=1",
                GatewayClient.envelope("{\"conversationId\":\"conv-jar-4\"}"));
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("42");
        GatewayClient.Answer javascript = gateway.post("/api/account/local/lambdas/" + JS_LAMBDA + "/invoke?v=1",
                GatewayClient.envelope("{\"question\":\"who answers?\"}"));
        assertThat(javascript.status()).as(javascript.body()).isEqualTo(200);
        assertThat(javascript.body()).isEqualTo("{\"answer\":\"from JavaScript\",\"asked\":\"who answers?\"}");
        assertThat(bridge.output()).as("the banner names where the gateway listens").contains("http://127.0.0.1:" + gatewayPort + "/api/account/");
    }

    @Test
    @Order(5)
    void runsTheRedriveSubcommand() throws Exception {
        kafka.send(events, "conv-jar-5", "{not json");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> kafka.readAll(deadLetters), list -> !list.isEmpty());
        UserProcess redrive = java("redrive.log", "-jar", JAR.toString(), "redrive", "--dry-run");
        assertThat(redrive.exitStatus(60)).as(redrive.output()).isZero();
        assertThat(redrive.output()).contains("key conv-jar-5 MALFORMED_JSON").contains("chosen 1, published 0");
    }

    @Test
    @Order(6)
    void sigtermEndsItWithStatusZero() throws InterruptedException {
        bridge.terminate();
        assertThat(bridge.exitStatus(60)).as(bridge.output()).isZero();
    }

    @AfterAll
    void stop() throws InterruptedException {
        if (bridge != null) {
            bridge.close();
        }
        if (functions != null) {
            functions.close();
        }
        if (collector != null) {
            collector.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
