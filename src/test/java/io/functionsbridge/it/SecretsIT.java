package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A credential in a function's url (basic auth user info) never shows in a log line (at DEBUG),
 * an exception message, or a dead-letter header.
 */
class SecretsIT extends AbstractBridgeIT {

    private static final String SECRET = "s3cr3t-Pa55word";
    private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
    private static Level rootLevel;

    private static final class Capture extends AbstractAppender {
        Capture() {
            super("capture", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder text = new StringBuilder(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
                StringWriter trace = new StringWriter();
                event.getThrown().printStackTrace(new PrintWriter(trace));
                text.append('\n').append(trace);
            }
            LOGGED.add(text.toString());
        }
    }

    @BeforeAll
    static void captureEverythingAtDebug() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        Capture capture = new Capture();
        capture.start();
        config.addAppender(capture);
        LoggerConfig root = config.getRootLogger();
        rootLevel = root.getLevel();
        root.addAppender(capture, Level.DEBUG, null);
        root.setLevel(Level.DEBUG);
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.addAppender(capture, Level.DEBUG, null);
            logger.setLevel(Level.DEBUG);
        }
        context.updateLoggers();
    }

    @AfterAll
    static void restoreLogging() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender("capture");
        config.getRootLogger().setLevel(rootLevel);
        for (LoggerConfig logger : config.getLoggers().values()) {
            logger.removeAppender("capture");
            logger.setLevel(Level.WARN);
        }
        context.updateLoggers();
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
        assertThat(LOGGED).as("something was logged at DEBUG").isNotEmpty();
        assertThat(LOGGED).noneMatch(line -> line.contains(SECRET));
    }
}
