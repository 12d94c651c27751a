package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.functionsbridge.BridgeMain;
import io.functionsbridge.demo.LocalFunctionServer;
import io.functionsbridge.demo.LocalFunctionServer.Response;
import io.functionsbridge.it.SecureKafka.Mode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The packaged bridge's main class, in a process of its own, at DEBUG, on a SASL_SSL listener with
 * OAuth2 to its functions, every secret passed the way an operator would: environment variables
 * read by the {@code {{env:...}}} placeholders of application.properties. Its whole log holds no
 * password, JAAS line, client secret or token; its dead letters neither; and its lines at INFO and
 * above hold nothing of the records' content.
 */
class SecretsAtDebugIT {

    private static final String CLIENT_SECRET = "oauth-Cl13nt-s3cret";
    private static final String TOKEN = "tok3n-V4lue-6f1e";
    /** Personal data in the records, which INFO lines must not show. */
    private static final String VISITOR = "Jane-Private-Doe";
    private static final String VISITOR_IP = "203.0.113.77";

    @Test
    void noSecretAtAnyLevelAndNoRecordContentAtInfo() throws Exception {
        SecureKafka secure = SecureKafka.get();
        try (KafkaRecords kafka = new KafkaRecords(secure.plaintext());
             LocalFunctionServer functions = LocalFunctionServer.start(0)) {
            functions.on("/token", Response.ok("{\"access_token\":\"" + TOKEN + "\",\"expires_in\":3600}"));
            functions.onRequest("/ok", request -> ("Bearer " + TOKEN).equals(request.header("Authorization"))
                    ? Response.ok("[{\"type\":\"systemMessage\",\"text\":\"hello\"}]") : Response.status(401));
            functions.on("/down", Response.status(503));
            String prefix = "debug" + System.nanoTime();
            Path registry = RunningBridge.write(prefix + "-functions", """
                    functions:
                      - id: ok-fn
                        event: controllerbot_messaging_new_conversation
                        url: %s
                        state: deployed
                      - id: down-fn
                        event: controllerbot_messaging_conversation_end
                        url: %s
                        state: deployed
                    """.formatted(functions.url("/ok"), functions.url("/down")));
            Path autoMessages = RunningBridge.write(prefix + "-auto", "autoMessages: {}\n");
            Path logConfig = Files.createTempFile(prefix + "-log4j2", ".properties").toAbsolutePath();
            logConfig.toFile().deleteOnExit();
            Files.writeString(logConfig, everythingAtDebug(Files.readString(Path.of("src/main/resources/log4j2.properties"))));
            String events = prefix + "-events";
            String deadLetters = prefix + "-dlq";
            String commands = prefix + "-commands";
            kafka.createTopics(events, prefix + "-chat", commands, deadLetters);

            List<String> command = List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"),
                    "-Dlog4j2.configurationFile=" + logConfig.toUri(),
                    "-Dkafka.brokers=" + secure.bootstrap(Mode.SASL_SSL_SCRAM_SHA_512), "-Dcamel.management.port=" + Ports.free(), "-Dcamel.server.port=" + Ports.free(),
                    "-Dbridge.topic.events=" + events, "-Dbridge.topic.chat-events=" + prefix + "-chat",
                    "-Dbridge.topic.commands=" + commands, "-Dbridge.topic.dead-letter=" + deadLetters,
                    "-Dbridge.consumer.group=" + prefix + "-bridge",
                    "-Dbridge.functions.file=" + registry, "-Dbridge.auto-messages.file=" + autoMessages,
                    "-Dbridge.invoke.backoff-ms=10",
                    BridgeMain.class.getName());
            ProcessBuilder builder = new ProcessBuilder(command).directory(new File(System.getProperty("user.dir"))).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            env.put("KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
            env.put("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
            env.put("KAFKA_SASL_JAAS_CONFIG", SecureKafka.jaas(Mode.SASL_SSL_SCRAM_SHA_512, SecureKafka.SCRAM_PASSWORD));
            env.put("KAFKA_SSL_TRUSTSTORE_LOCATION", secure.certificates.resolve("client-trust.p12").toString());
            env.put("KAFKA_SSL_TRUSTSTORE_PASSWORD", SecureKafka.STORE_PASSWORD);
            env.put("KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
            env.put("BRIDGE_OAUTH2_TOKEN_URL", functions.url("/token"));
            env.put("BRIDGE_OAUTH2_CLIENT_ID", "bridge");
            env.put("BRIDGE_OAUTH2_CLIENT_SECRET", CLIENT_SECRET);
            File log = File.createTempFile(prefix, ".log");
            log.deleteOnExit();
            Process bridge = builder.redirectOutput(log).start();
            try {
                String personal = ",\"visitorName\":\"" + VISITOR + "\",\"visitorIp\":\"" + VISITOR_IP + "\"";
                kafka.send(events, "conv-ok", "{\"general\":{\"cbotEventType\":\"CONSUMER_OPEN_NEW_CONVERSATION\",\"convId\":\"conv-ok\""
                        + personal + "}}");
                kafka.send(events, "conv-down", "{\"general\":{\"cbotEventType\":\"CONSUMER_END_CONVERSATION\",\"convId\":\"conv-down\""
                        + personal + "}}");
                kafka.send(events, "conv-unknown", "{\"general\":{\"cbotEventType\":\"" + VISITOR + "\",\"convId\":\"conv-unknown\"}}");
                kafka.send(events, "conv-bad", "{\"general\":{\"cbotEventType\":\"CONSUMER_STEP_UP\",\"convId\":\"conv-bad\"" + personal
                        + ",\"note\":" + VISITOR_IP + "}}");
                Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> kafka.readAll(commands).size() >= 1 && kafka.readAll(deadLetters).size() >= 3);
            } finally {
                bridge.destroy();
                if (!bridge.waitFor(30, TimeUnit.SECONDS)) {
                    bridge.destroyForcibly().waitFor();
                }
            }
            List<String> lines = Files.readAllLines(log.toPath());
            List<String> secrets = List.of(SecureKafka.SCRAM_PASSWORD, SecureKafka.STORE_PASSWORD, CLIENT_SECRET, TOKEN,
                    "ScramLoginModule required username");
            assertThat(lines).as("the bridge logged at DEBUG").anyMatch(line -> line.startsWith("DEBUG"));
            assertThat(lines).as("the function was called with the token").anyMatch(line -> line.contains("conv-ok CONSUMER_OPEN_NEW_CONVERSATION"));
            for (String secret : secrets) {
                assertThat(lines).as("log lines with %s", secret).noneMatch(line -> line.contains(secret));
            }
            List<String> infoAndAbove = infoAndAbove(lines);
            assertThat(infoAndAbove).as("lines at INFO and above").isNotEmpty()
                    .noneMatch(line -> line.contains(VISITOR) || line.contains(VISITOR_IP));
            assertThat(kafka.readAll(deadLetters)).allSatisfy(deadLetter -> {
                for (String secret : secrets) {
                    assertThat(deadLetter.headers().toString()).doesNotContain(secret);
                }
            });
        }
    }

    /**
     * The shipped logging configuration with every level an operator would raise turned to DEBUG:
     * all but the loggers it keeps at INFO because they would print secrets ({@code logger.secrets-*}).
     */
    private static String everythingAtDebug(String shipped) {
        StringBuilder config = new StringBuilder();
        for (String line : shipped.split("\n")) {
            boolean level = line.matches("^(rootLogger|logger\\.[\\w-]+)\\.level *=.*");
            config.append(level && !line.startsWith("logger.secrets-") ? line.replaceFirst("=.*", "= DEBUG") : line).append('\n');
        }
        return config.toString().replace("%d{HH:mm:ss.SSS} ", "");
    }

    /** The lines logged at INFO, WARN or ERROR, each with what follows it (a stack trace) up to the next line with a level. */
    private static List<String> infoAndAbove(List<String> lines) {
        List<String> kept = new ArrayList<>();
        boolean keeping = false;
        for (String line : lines) {
            boolean levelled = line.matches("^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL) .*");
            if (levelled) {
                keeping = line.startsWith("INFO") || line.startsWith("WARN") || line.startsWith("ERROR") || line.startsWith("FATAL");
            }
            if (keeping) {
                kept.add(line);
            }
        }
        return kept;
    }
}
