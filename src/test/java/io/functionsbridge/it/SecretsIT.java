package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A credential in a function's url (basic auth user info) never shows in a log line (at DEBUG),
 * an exception message, or a dead-letter header.
 */
class SecretsIT extends AbstractBridgeIT {

    private static final String SECRET = "s3cr3t-Pa55word";
    private static LogCapture logs;

    @BeforeAll
    static void captureEverythingAtDebug() {
        logs = LogCapture.start(Level.DEBUG);
    }

    @AfterAll
    static void restoreLogging() {
        logs.stopCapture();
    }

    @Override
    String functionsYaml() {
        return """
                functions:
                  - id: guarded
                    event: controllerbot_messaging_ttr
                    url: http://bridge:SECRET@127.0.0.1:PORT/guarded
                    state: deployed
                  - id: guarded-rejecting
                    event: controllerbot_messaging_consumer_step_up
                    url: http://bridge:SECRET@127.0.0.1:PORT/rejecting
                    state: deployed
                """.replace("SECRET", SECRET).replace("PORT", "%PORT%");
    }

    @Override
    void serveFunctions(LocalFunctionServer server) {
        server.on("/guarded", Response.status(503));
        server.on("/rejecting", Response.status(401));
    }

    @Override
    Map<String, String> properties() {
        return Map.of("bridge.invoke.backoff-ms", "5");
    }

    @Test
    void aCredentialInAFunctionUrlIsNeverLoggedNorDeadLettered() {
        handled(2, () -> {
            sendEvent("AGENT_UPDATED_RESPONSE_TIME", "secret-1");
            sendEvent("CONSUMER_STEP_UP", "secret-2");
        });
        List<KafkaRecords.Received> dead = kafka.readAll(bridge.deadLetters);
        assertThat(dead).hasSize(2);
        assertThat(dead).allSatisfy(record -> assertThat(record.headers().toString()).doesNotContain(SECRET));
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString(("bridge:" + SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(functions.requests("/guarded")).as("the credential is sent, as a header").isNotEmpty()
                .allSatisfy(request -> assertThat(request.header("Authorization")).isEqualTo(expected));
        assertThat(logs.lines()).as("something was logged at DEBUG").isNotEmpty();
        assertThat(logs.lines()).noneMatch(line -> line.contains(SECRET));
    }
}
