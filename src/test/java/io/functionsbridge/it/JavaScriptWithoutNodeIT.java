package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A host without Node.js (bridge.javascript.node names none): the bridge starts, says in one line
 * what is missing, handles every event of its HTTP functions, and dead-letters those of its
 * javascript function with the same words.
 */
class JavaScriptWithoutNodeIT extends AbstractBridgeIT {

    private static final Path LAMBDA = lambda();

    private static Path lambda() {
        try {
            Path folder = Files.createTempDirectory("no-node").resolve("greet");
            Files.createDirectories(folder);
            Files.writeString(folder.resolve("index.js"), "async function lambda(input) { return []; }");
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: http-greet
                    event: controllerbot_messaging_new_conversation
                    url: %%URL%%/lambdas/greet
                    state: deployed
                  - id: js-end
                    event: controllerbot_messaging_conversation_end
                    state: deployed
                    runtime: javascript
                    source: %s
                """.formatted(LAMBDA);
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.javascript.node", "/nowhere/node", "bridge.invoke.backoff-ms", "10");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/lambdas/greet", LocalFunctionServer.Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hi\"}]"));
    }

    @Test
    void everyOtherFunctionRunsAndTheJavaScriptOnesEventsAreDeadLetteredNamingNode() {
        handled(2, () -> {
            sendEvent("CONSUMER_OPEN_NEW_CONVERSATION", "conv-no-node-1");
            sendEvent("CONSUMER_END_CONVERSATION", "conv-no-node-2");
        });
        assertThat(commandValuesOf("conv-no-node-1")).extracting(command -> command.path("text").asText()).containsExactly("hi");
        KafkaRecords.Received deadLetter = awaitNonEmpty(() -> deadLettersOf("conv-no-node-2")).get(0);
        assertThat(deadLetter.header("bridgeErrorReason")).isEqualTo("FUNCTION_FAILED");
        assertThat(deadLetter.header("bridgeErrorMessage")).contains("runtime javascript needs Node.js 20 or later on the host")
                .contains("/nowhere/node");
    }
}
