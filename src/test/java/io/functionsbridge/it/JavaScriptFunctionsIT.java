package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * JavaScript functions (docs/javascript.md) through the bridge's routes, as HTTP functions go: the
 * reply's commands, the redelivery policy and the dead letter naming the platform's error code, the
 * timeout (other conversations go on), the metrics, the gateway (a function of no event, by its
 * UUID), and live edits of a lambda that does not load (a syntax error, a top level that holds
 * more than its memory or runs past its timeout), each refused in one line naming the function.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JavaScriptFunctionsIT extends AbstractBridgeIT {

    private static final String NO_EVENT = "0b1d3c5e-7a9f-4b2d-8c6e-1f3a5b7d9e01";
    private static final Path LAMBDAS = lambdas();

    private static Path lambdas() {
        try {
            Path root = Files.createTempDirectory("js-functions");
            write(root, "greet", """
                    const { Toolbelt } = require('lp-faas-toolbelt');
                    function lambda(input, callback) {
                      console.info('greeting', input.payload.general.convId);
                      callback(null, [{ type: 'systemMessage', text: 'Hello from JavaScript, ' + process.env.GREETING }]);
                    }
                    """, "{\"environmentVariables\":[{\"key\":\"GREETING\",\"value\":\"friend\"}]}");
            write(root, "fails", "async function lambda(input) { throw new Error('the CRM is down'); }", "{}");
            write(root, "loops", "function lambda(input, callback) { while (true) {} }", "{}");
            write(root, "answer", """
                    import { Toolbelt } from 'core-functions-toolbelt';
                    async function lambda(input) {
                      const key = await Toolbelt.SecretClient().readSecret('greeting');
                      return { answer: 42, said: input.payload.question, secret: key.value };
                    }
                    """, "{}");
            Files.writeString(root.resolve("settings.json"), "{\"secrets\":[{\"key\":\"greeting\",\"value\":\"hi\"}],\"whitelist\":[]}");
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path root, String name, String source, String config) throws IOException {
        Path folder = Files.createDirectories(root.resolve(name));
        Files.writeString(folder.resolve("index.js"), source);
        Files.writeString(folder.resolve("config.json"), config);
    }

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: js-greet
                    name: greet-js
                    event: controllerbot_messaging_new_conversation
                    state: deployed
                    runtime: javascript
                    source: %1$s/greet
                  - id: js-fails
                    event: controllerbot_messaging_conversation_end
                    state: deployed
                    runtime: javascript
                    source: %1$s/fails
                  - id: js-loops
                    event: controllerbot_messaging_conversation_idle
                    state: deployed
                    runtime: javascript
                    source: %1$s/loops
                    timeoutMs: 300
                  - id: %2$s
                    name: answer
                    state: deployed
                    runtime: javascript
                    source: %1$s/answer
                """.formatted(LAMBDAS, NO_EVENT);
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.functions.settings-file", LAMBDAS.resolve("settings.json").toString(), "bridge.invoke.backoff-ms", "10",
                "bridge.reload.debounce-ms", "100");
    }

    @Test
    @Order(1)
    void aLambdasReplyBecomesItsCommands() {
        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-js-1"));

        List<JsonNode> commands = commandValuesOf("conv-js-1");
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.path("type").asText()).isEqualTo("systemMessage");
            assertThat(command.path("text").asText()).isEqualTo("Hello from JavaScript, friend");
            assertThat(command.path("origin").asText()).isEqualTo("function");
            assertThat(command.path("functionId").asText()).isEqualTo("js-greet");
        });
        Management management = new Management(bridge.managementUrl());
        assertThat(management.metric("functions_bridge_invocations_total", "function", "js-greet", "result", "ok")).isEqualTo(1.0);
    }

    @Test
    @Order(2)
    void aFailingLambdaIsRetriedThenDeadLetteredWithThePlatformsCode() {
        handled(1, () -> sendEvent("CONSUMER_END_CONVERSATION", "conv-js-2"));

        KafkaRecords.Received deadLetter = awaitNonEmpty(() -> deadLettersOf("conv-js-2")).get(0);
        assertThat(deadLetter.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(deadLetter.header("bridgeErrorMessage"))
                .contains("com.liveperson.faas.handler.custom-failure").contains("the CRM is down").contains("after 4 attempts");
        assertThat(deadLetter.header("bridgeAttempts")).isEqualTo("4");
        assertThat(deadLetter.header("bridgeFunctionId")).isEqualTo("js-fails");
    }

    @Test
    @Order(3)
    void anEndlessLoopEndsAtItsTimeoutWhileOtherConversationsGoOn() {
        long before = outcomes().getEvents();
        sendEvent("AGENT_NON_RESPONSIVE", "conv-js-loop");
        for (int i = 0; i < 5; i++) {
            sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-js-beside-" + i);
        }
        Awaitility.await().atMost(PATIENCE).until(() -> outcomes().getEvents() >= before + 6);

        for (int i = 0; i < 5; i++) {
            assertThat(commandValuesOf("conv-js-beside-" + i)).as("conversation " + i).hasSize(1);
        }
        KafkaRecords.Received deadLetter = awaitNonEmpty(() -> deadLettersOf("conv-js-loop")).get(0);
        assertThat(deadLetter.header("bridgeErrorMessage")).contains("com.liveperson.faas.handler.executiontime-exceeded")
                .contains("300 ms");
        assertThat(deadLetter.header("bridgeAttempts")).as("a timeout is retried").isEqualTo("4");
    }

    @Test
    @Order(4)
    void aFunctionOfNoEventIsInvokedThroughTheGatewayByItsUuid() {
        GatewayClient.Answer answer = new GatewayClient(bridge.gatewayUrl()).post("/api/account/local/lambdas/" + NO_EVENT + "/invoke?v=1",
                GatewayClient.envelope("{\"question\":\"what is it\"}"));

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(json(answer.body()).path("answer").asInt()).isEqualTo(42);
        assertThat(json(answer.body()).path("said").asText()).isEqualTo("what is it");
        assertThat(json(answer.body()).path("secret").asText()).isEqualTo("hi");
    }

    @Test
    @Order(5)
    void anEditOfALambdaThatDoesNotLoadIsRefusedAndThePreviousVersionStays() throws IOException {
        Management management = new Management(bridge.managementUrl());
        double refusedBefore = management.metric("functions_bridge_reload_failures_total", "file", "index.js");
        Files.writeString(LAMBDAS.resolve("greet").resolve("index.js"), "function lambda(input, callback) { callback(null, ");

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> management.metric("functions_bridge_reload_failures_total", "file", "index.js") == refusedBefore + 1);
        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-js-after-edit"));
        assertThat(commandValuesOf("conv-js-after-edit")).extracting(command -> command.path("text").asText())
                .containsExactly("Hello from JavaScript, friend");
    }

    @Test
    @Order(6)
    void anEditWhoseTopLevelHoldsTooMuchOrLoopsIsRefusedAndThePreviousVersionStays() throws IOException {
        Management management = new Management(bridge.managementUrl());
        LogCapture refusals = LogCapture.start(Level.ERROR);
        try {
            for (String topLevel : List.of("const kept = [];\nwhile (true) { kept.push(new Array(100000).fill(1)); }\n",
                    "while (true) {}\n")) {
                double refusedBefore = management.metric("functions_bridge_reload_failures_total", "file", "index.js");
                Files.writeString(LAMBDAS.resolve("greet").resolve("index.js"), topLevel + "async function lambda(input) { return []; }");
                Awaitility.await().atMost(Duration.ofSeconds(60))
                        .until(() -> management.metric("functions_bridge_reload_failures_total", "file", "index.js") == refusedBefore + 1);
            }
        } finally {
            refusals.stopCapture();
        }
        assertThat(refusals.lines()).anySatisfy(line -> assertThat(line).contains("function js-greet").contains("held more than its"));
        assertThat(refusals.lines()).anySatisfy(line -> assertThat(line).contains("function js-greet")
                .contains("its top level ran for more than 5000 ms"));
        handled(1, () -> sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-js-after-hog"));
        assertThat(commandValuesOf("conv-js-after-hog")).extracting(command -> command.path("text").asText())
                .containsExactly("Hello from JavaScript, friend");
    }
}
