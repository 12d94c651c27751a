package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.functionsbridge.BridgeMain;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.redrive.Redrive;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Dead-letter redrive (docs/contract.md, "Dead-letter redrive"): a function fails, its events end
 * as dead letters with their automatic messages; once it is fixed, the operator redrives them, and
 * each event's commands are written once, with no second automatic message.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedriveIT extends AbstractBridgeIT {

    private volatile boolean crmUp;

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: ttr-crm
                    event: controllerbot_messaging_ttr
                    url: %URL%/crm
                    state: deployed
                  - id: greeter
                    event: controllerbot_messaging_new_conversation
                    url: %URL%/greet
                    state: deployed
                  - id: chat-crm
                    event: chat_start
                    url: %URL%/chat
                    state: deployed
                """;
    }

    @Override
    String autoMessagesYaml() {
        return """
                autoMessages:
                  AGENT_UPDATED_RESPONSE_TIME:
                    text: TTR changed (automatic)
                  CONSUMER_OPEN_NEW_CONVERSATION:
                    text: Welcome (automatic)
                """;
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.onRequest("/crm", request -> crmUp ? Response.ok("[{\"type\":\"transfer\",\"skillId\":\"42\"}]") : Response.status(503));
        server.on("/greet", Response.status(500));
        server.on("/chat", Response.status(503));
    }

    /** A redrive run: its exit status, and what it printed. */
    private record Run(int status, String out, String err) {

        List<String> chosenLines() {
            return out.lines().filter(line -> line.startsWith("chosen ") && line.contains(" -> ")).toList();
        }

        String summary() {
            return out.lines().filter(line -> line.startsWith("chosen ") && !line.contains(" -> ")).findFirst().orElse("(none)");
        }
    }

    private Run redrive(Map<String, String> settings, String... args) {
        Map<String, String> overrides = new HashMap<>(Map.of("kafka.brokers", SharedKafka.bootstrapServers(),
                "bridge.topic.dead-letter", bridge.deadLetters));
        overrides.putAll(settings);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Redrive.run(args, overrides, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run redrive(String... args) {
        return redrive(Map.of(), args);
    }

    private List<JsonNode> systemMessages(String convId) {
        return commandValuesOf(convId).stream().filter(c -> c.path("type").asText().equals("systemMessage")).toList();
    }

    @Test
    @Order(1)
    void dryRunListsWhatTheFiltersChooseAndPublishesNothing() {
        handled(6, () -> {
            for (String conv : List.of("conv-r1", "conv-r2", "conv-r3")) {
                sendEvent("AGENT_UPDATED_RESPONSE_TIME", conv);
            }
            sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-g1");
            kafka.send(bridge.chatEvents, "chat-r1", "{\"chatSessionKey\":\"chat-r1\"}", Map.of("eventId", "chat_start"));
            kafka.send(bridge.events, "bad-1", "{broken");
        });
        assertThat(systemMessages("conv-r1")).hasSize(1);
        assertThat(systemMessages("conv-r1").get(0).path("origin").asText()).isEqualTo("autoMessage");
        long eventsEnd = kafka.readAll(bridge.events).size();

        Run all = redrive("--reason", "FUNCTION_FAILED", "--dry-run");
        assertThat(all.status()).as(all.err()).isZero();
        assertThat(all.chosenLines()).hasSize(5).allMatch(line -> line.contains("dry run: would publish to"));
        assertThat(all.summary()).isEqualTo("chosen 5, published 0, skipped 0 (dry run: 5 would be published)");
        assertThat(kafka.readAll(bridge.events)).hasSize((int) eventsEnd);

        assertThat(redrive("--function", "ttr-crm", "--dry-run").chosenLines()).hasSize(3).allMatch(line -> line.contains(" function ttr-crm "));
        assertThat(redrive("--key=conv-r2", "--dry-run").chosenLines()).singleElement().asString().contains(" key conv-r2 ");
        assertThat(redrive("--reason", "MALFORMED_JSON,INVALID_REPLY", "--dry-run").chosenLines()).singleElement().asString().contains("MALFORMED_JSON");
        assertThat(redrive("--since", Instant.now().plusSeconds(3600).toString(), "--dry-run").summary()).startsWith("chosen 0,");
        assertThat(redrive("--until", Instant.now().minusSeconds(3600).toString(), "--dry-run").summary()).startsWith("chosen 0,");
        assertThat(redrive("--since", Instant.now().minusSeconds(3600).toString(), "--until", Instant.now().plusSeconds(60).toString(), "--dry-run")
                .chosenLines()).hasSize(6);
        assertThat(redrive("--reason", "FUNCTION_FAILED", "--max", "2", "--dry-run").chosenLines()).hasSize(2);

        // --since and --until compare with when the dead letter was written: three an hour apart
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
        for (int hoursAgo = 3; hoursAgo >= 1; hoursAgo--) {
            kafka.sendAt(bridge.deadLetters, now.minusSeconds(3600L * hoursAgo).toEpochMilli(), "window-" + hoursAgo,
                    event("AGENT_UPDATED_RESPONSE_TIME", "window-" + hoursAgo).getBytes(StandardCharsets.UTF_8),
                    Map.of("bridgeErrorReason", "BRIDGE_ERROR", "bridgeSourceTopic", bridge.events));
        }
        Run window = redrive("--reason", "BRIDGE_ERROR", "--since", now.minusSeconds(9000).toString(), "--until", now.minusSeconds(3600).toString(),
                "--dry-run");
        assertThat(window.chosenLines()).singleElement().asString().contains(" key window-2 ");
        assertThat(redrive("--reason", "BRIDGE_ERROR", "--until", now.minusSeconds(3600).toString(), "--dry-run").chosenLines()).hasSize(2);
        assertThat(redrive("--reason", "BRIDGE_ERROR", "--since", now.minusSeconds(3600).toString(), "--dry-run").chosenLines()).hasSize(1);
    }

    @Test
    @Order(2)
    void theFixedFunctionsEventsAreHandledAgainOnceWithoutASecondAutomaticMessage() {
        crmUp = true;
        long start = System.nanoTime();
        Run run = redrive("--function", "ttr-crm", "--rate", "5");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.summary()).isEqualTo("chosen 3, published 3, skipped 0");
        assertThat(run.chosenLines()).allMatch(line -> line.contains("published to " + bridge.events + "/") && line.endsWith("(redrive 1)"));
        assertThat(elapsedMs).as("3 records at 5 per second: two intervals of 200 ms").isGreaterThanOrEqualTo(400);

        for (String conv : List.of("conv-r1", "conv-r2", "conv-r3")) {
            List<JsonNode> transfers = Awaitility.await().atMost(PATIENCE).until(() -> commandValuesOf(conv).stream()
                    .filter(c -> c.path("type").asText().equals("transfer")).toList(), list -> !list.isEmpty());
            assertThat(transfers).hasSize(1);
            assertThat(transfers.get(0).path("functionId").asText()).isEqualTo("ttr-crm");
            assertThat(systemMessages(conv)).as("the automatic message, written once").hasSize(1);
        }
        // the redriven records: the original key, value and headers, plus where they came from
        List<KafkaRecords.Received> redriven = kafka.readAll(bridge.events).stream().filter(r -> r.header("bridgeRedriveOf") != null).toList();
        assertThat(redriven).hasSize(3).allSatisfy(record -> {
            assertThat(record.header("bridgeRedriveCount")).isEqualTo("1");
            assertThat(record.header("bridgeRedriveOf")).startsWith(bridge.deadLetters + "/");
            assertThat(record.header("bridgeErrorReason")).isNull();
            assertThat(json(record.value()).path("general").path("convId").asText()).isEqualTo(record.key());
        });
    }

    @Test
    @Order(3)
    void aSecondRunPublishesNothing() {
        int before = kafka.readAll(bridge.events).size();
        Run again = redrive("--function", "ttr-crm");
        assertThat(again.summary()).isEqualTo("chosen 3, published 0, skipped 3");
        assertThat(again.chosenLines()).allMatch(line -> line.contains("skipped: redriven before (" + bridge.events + "/"));
        assertThat(kafka.readAll(bridge.events)).hasSize(before);
    }

    @Test
    @Order(4)
    void aRedrivenEventThatFailsAgainIsANewDeadLetterWithItsCountAndItsOriginalHeaders() {
        int greeterCalls = functions.calls("/greet");
        int chatCalls = functions.calls("/chat");
        Run run = redrive("--key", "conv-g1");
        assertThat(run.summary()).isEqualTo("chosen 1, published 1, skipped 0");
        assertThat(redrive("--key", "chat-r1").summary()).isEqualTo("chosen 1, published 1, skipped 0");

        List<KafkaRecords.Received> again = Awaitility.await().atMost(PATIENCE).until(() -> deadLettersOf("conv-g1"), list -> list.size() >= 2);
        KafkaRecords.Received second = again.get(1);
        assertThat(second.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(second.header("bridgeRedriveCount")).isEqualTo("1");
        assertThat(second.header("bridgeRedriveOf")).isEqualTo(bridge.deadLetters + "/0/" + again.get(0).offset());
        assertThat(functions.calls("/greet") - greeterCalls).as("called again, with its retries").isEqualTo(4);
        assertThat(systemMessages("conv-g1")).as("no second automatic message").hasSize(1);

        // a chat record keeps its eventId header through its dead letter and its redrive
        List<KafkaRecords.Received> chat = Awaitility.await().atMost(PATIENCE).until(() -> deadLettersOf("chat-r1"), list -> list.size() >= 2);
        assertThat(chat.get(1).header("eventId")).isEqualTo("chat_start");
        assertThat(functions.calls("/chat") - chatCalls).isEqualTo(4);
    }

    @Test
    @Order(5)
    void aDeadLetterRedrivenTheMaximumNumberOfTimesIsNotRedrivenAgain() {
        kafka.send(bridge.deadLetters, "max-1", event("AGENT_UPDATED_RESPONSE_TIME", "max-1"), Map.of("bridgeErrorReason", "FUNCTION_FAILED",
                "bridgeSourceTopic", bridge.events, "bridgeRedriveCount", "3"));
        Run run = redrive("--key", "max-1");
        assertThat(run.summary()).isEqualTo("chosen 1, published 0, skipped 1");
        assertThat(run.chosenLines()).singleElement().asString().contains("skipped: redriven 3 times already (bridge.redrive.max-count 3)");
        // with a maximum of 1, the greeter's second dead letter (redriven once) is not redriven
        Run once = redrive(Map.of("bridge.redrive.max-count", "1"), "--key", "conv-g1");
        assertThat(once.summary()).isEqualTo("chosen 2, published 0, skipped 2");
    }

    @Test
    @Order(6)
    void withKafkaUnreachableItExitsNonZeroWithAClearLine() {
        int closed = Ports.free();
        Run run = redrive(Map.of("kafka.brokers", "127.0.0.1:" + closed, "bridge.redrive.kafka-timeout-ms", "2000"), "--dry-run");
        assertThat(run.status()).isEqualTo(Redrive.FAILED);
        assertThat(run.err()).startsWith("functions-bridge redrive: Kafka at 127.0.0.1:" + closed + " failed: ").contains("2000 ms");
        assertThat(run.out()).doesNotContain("chosen");
    }

    @Test
    @Order(7)
    void anUnknownOptionOrSubcommandIsRefusedBeforeAnythingStarts() throws Exception {
        Run bogus = redrive("--reason", "FUNCTION_FAILED", "--bogus");
        assertThat(bogus.status()).isEqualTo(Redrive.USAGE);
        assertThat(bogus.err()).contains("unknown option '--bogus'").contains("usage: redrive");
        assertThat(redrive("--max", "none").err()).contains("--max 'none' is not a positive whole number");
        assertThat(redrive("--since", "yesterday").err()).contains("--since 'yesterday' is not an ISO-8601 instant");

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), BridgeMain.class.getName(), "redirve")
                .directory(new File(System.getProperty("user.dir"))).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("functions-bridge: unknown subcommand 'redirve'");
    }
}
